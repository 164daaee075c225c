// The modules Astro provides at build time (astro:content) for the type check, which runs before any build.
/// <reference types="astro/client" />

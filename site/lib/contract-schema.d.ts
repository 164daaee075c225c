// Provided at build time by the plugin in astro.config.mjs: the JSON Schemas generated from the
// contract, evaluated once, so the browser gets the contract's rules without the Zod runtime.
declare module 'virtual:governance-status-schema' {
  const schema: import('./check-schema.ts').JsonSchema;
  export default schema;
}
declare module 'virtual:governance-history-schema' {
  const schema: import('./check-schema.ts').JsonSchema;
  export default schema;
}

// A part of the island that throws while it renders shows `fallback` in its place, and only that part
// fails. Without a boundary Preact (the page's runtime, astro.config.mjs) leaves the island's render
// uncommitted, so its effects run again at each of its renders; the record's check (use-record.ts)
// ends in a state update, and the island fetched governance-archive/recent.json in a loop.
import { Component, type ReactNode } from 'react';

type Props = { fallback: ReactNode; children: ReactNode };

export class Contained extends Component<Props, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  componentDidCatch(error: unknown) {
    console.error(error);
  }

  /** tried again with the next data it is given (a later file may render), once per render of its parent */
  componentDidUpdate(previous: Props) {
    if (this.state.failed && previous.children !== this.props.children) this.setState({ failed: false });
  }

  render() {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}

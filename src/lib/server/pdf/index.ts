// Isolated PDF inspection: untrusted bytes are parsed in a worker the server can kill.
export { inspectPdfIsolated } from './pdf-inspect';

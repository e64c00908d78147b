// The partner catalog's public API: load partners as data, read their list messages.
export { CatalogError, loadCatalog, MANIFEST_SUFFIX, type CatalogProblem } from './load.js';
export { validateManifest, type ManifestResult } from './manifest.js';
export { parsePayload, type XmlParseSettings } from './parse.js';
export { compilePayloadValidator, type PayloadValidator } from './validate.js';
export { compileMapping, mapMessage, type CompiledMapping, type MapOptions, type MappedMessage } from './map.js';
export { readListMessage, type ListMessage } from './read-message.js';
export { MAX_PROBLEMS, schemaInvalid, type Problem } from './problems.js';
export type * from './types.js';

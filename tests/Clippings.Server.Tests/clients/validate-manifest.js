// Validates a Teams app manifest against the JSON schema bundled in @microsoft/app-manifest (offline: the schema
// named by the manifest's $schema URL is read from the package, never fetched).
// Usage: node validate-manifest.js path/to/manifest.json
// Prints one JSON line: { "schema": "<bundled schema file>", "errors": [ ... ] }; exits 0 when it could validate.
'use strict';

const fs = require('fs');
const path = require('path');
const { AppManifestUtils, TeamsManifestConverter } = require('@microsoft/app-manifest');

async function main() {
  const manifestPath = process.argv[2];
  const json = fs.readFileSync(manifestPath, 'utf8');
  const raw = JSON.parse(json);
  const match = /\/teams\/(v[\d.]+|vDevPreview)\/MicrosoftTeams\.schema\.json$/.exec(raw.$schema || '');
  if (!match) {
    throw new Error(`$schema ${raw.$schema} does not name a Teams manifest schema version`);
  }
  const packageRoot = path.dirname(require.resolve('@microsoft/app-manifest/package.json'));
  const schemaFile = path.join(packageRoot, 'build', 'json-schemas', 'teams', match[1], 'MicrosoftTeams.schema.json');
  const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
  // The converter's run-time type check first (it throws on a wrong type), then the schema itself.
  let typeError = null;
  try {
    TeamsManifestConverter.jsonToManifest(json);
  } catch (error) {
    typeError = String(error && error.message ? error.message : error);
  }
  const errors = await AppManifestUtils.validateAgainstSchema(raw, schema);
  console.log(JSON.stringify({ schema: path.relative(packageRoot, schemaFile), typeError, errors }));
}

main().catch(error => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(2);
});

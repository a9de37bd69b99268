#!/usr/bin/env node
// Runs one or more SQL statements in an in-memory DuckDB and prints the result of the last one as JSON:
//   {"columns":[{"name":"a","type":"BIGINT"},...],"rows":[[...],...]}
// Value mapping (DuckDB's JSON converters): BIGINT/UBIGINT/HUGEINT/DECIMAL/temporal -> string (lossless),
// INTEGER/SMALLINT/TINYINT -> number, FLOAT/DOUBLE -> number (shortest round-trip text; FLOAT is widened to
// double exactly) or the strings "NaN"/"Infinity"/"-Infinity", NULL -> null, BOOLEAN -> true/false.
// Usage: node query.mjs "SELECT 1"      or      echo "SELECT 1" | node query.mjs
import { DuckDBInstance } from '@duckdb/node-api';

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

async function main() {
  const sql = process.argv.length > 2 ? process.argv.slice(2).join(' ') : await readStdin();
  if (!sql.trim()) {
    process.stderr.write('usage: node query.mjs "<sql>"  (or SQL on stdin)\n');
    process.exit(2);
  }
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    const names = reader.columnNames();
    const types = reader.columnTypes();
    const columns = names.map((name, i) => ({ name, type: types[i].toString() }));
    const rows = reader.getRowsJson();
    process.stdout.write(JSON.stringify({ columns, rows }) + '\n');
  } finally {
    connection.closeSync?.();
    instance.closeSync?.();
  }
}

main().catch((err) => {
  process.stderr.write(`duckdb query failed: ${err?.message ?? err}\n`);
  process.exit(1);
});

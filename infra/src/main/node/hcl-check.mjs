#!/usr/bin/env node
// hcl-check: a terraform-free static check of Tributary's Terraform.
//
// No terraform binary can be fetched on the build machines, so this parses every .tf file with
// @cdktf/hcl2json (HashiCorp's HCL parser compiled to WebAssembly) and checks, per module
// (= per directory holding .tf files):
//
//   hcl-syntax            every .tf file parses
//   variable-type         every variable has a type
//   variable-description  every variable has a non-empty description
//   output-description    every output has a non-empty description
//   undeclared-var        every var.x is declared in the same module
//   undeclared-local      every local.x is declared in the same module
//   undeclared-resource   every <type>.<name> / data.<type>.<name> / module.<name> reference exists
//   module-input          local module calls pass only declared variables and all required ones
//   module-output         module.<name>.<output> names an output of the called (local) module
//   provider-in-module    provider blocks only in examples/ (modules take providers from the caller)
//   versions              a terraform { required_version, required_providers } block exists
//   no-wildcard-action    no Allow statement grants "*", "service:*" or any other wildcard action
//                         (Deny statements may: "deny s3:* without TLS" only narrows access)
//   no-not-action         no Allow statement uses NotAction (an inverted, open-ended grant)
//   no-star-resource      Resource "*" only for actions that cannot be scoped to a resource
//   no-aws-managed-policy no attachment of AWS-managed (broad) policies
//   s3-public-access-block every bucket has a public access block with all four flags true
//   s3-sse                every bucket has default encryption (AES256, aws:kms or aws:kms:dsse)
//   s3-tls-only           every bucket has a bucket policy, and the module denies aws:SecureTransport=false
//   dynamodb-pitr         every DynamoDB table has point_in_time_recovery { enabled = true }
//   dynamodb-sse          every DynamoDB table has server_side_encryption { enabled = true }
//
// Usage: node hcl-check.mjs [--facts] <dir> [<dir>...]
// Exit 0 when clean, 1 with one line per violation (file:line: block: [rule] message), 2 on usage.
// --facts also prints what the check saw, one line each, for tests that assert on the tree's content:
//   fact: <module dir> resource <type>.<name> <body as JSON>
//   fact: <module dir> module <name> <body as JSON>
//   fact: <module dir> local <name> <value as JSON>
//   fact: <module dir> statement <data.aws_iam_policy_document.x> <Sid|-> effect=<E> actions=<a,b> resources=<r1 | r2>
// (<module dir> relative to the <dir> argument, "." for the root; expressions stay ${...} strings).
import fs from 'node:fs';
import path from 'node:path';
import { parse, getReferencesInExpression } from '@cdktf/hcl2json';

// Actions that AWS does not let a policy scope to a resource ARN: "*" is the only valid Resource.
const UNSCOPABLE_ACTIONS = new Set([
  'ecr:getauthorizationtoken',
  'sts:getcalleridentity',
  'cloudwatch:putmetricdata',
  'ssmmessages:createcontrolchannel',
  'ssmmessages:createdatachannel',
  'ssmmessages:opencontrolchannel',
  'ssmmessages:opendatachannel',
  'xray:puttracesegments',
  'xray:puttelemetryrecords',
  'logs:describeloggroups',
  'ec2:describenetworkinterfaces',
]);
const SSE_ALGORITHMS = new Set(['AES256', 'aws:kms', 'aws:kms:dsse']);
const RESOURCE_PREFIXES = /^(aws|awscc|random|null|time|tls|local|archive|external|http|kubernetes|helm)_[a-z0-9_]+$/;
const MODULE_META_ARGS = new Set(['source', 'version', 'count', 'for_each', 'providers', 'depends_on']);

const violations = [];
let fileCount = 0;
let moduleCount = 0;

function display(file) {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

function report(file, line, block, rule, message) {
  violations.push(`${display(file)}:${line}: ${block}: [${rule}] ${message}`);
}

/** 1-based line of a block header like `resource "aws_s3_bucket" "this"` in the file's text. */
function lineOf(text, kind, ...labels) {
  const pattern = [kind, ...labels.map((l) => `"${l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`)].join('\\s+');
  const m = new RegExp(`^\\s*${pattern}\\s*\\{`, 'm').exec(text);
  if (!m) return 1;
  return text.slice(0, m.index + m[0].length - m[0].trimStart().length).split('\n').length;
}

function asArray(x) {
  if (x === undefined || x === null) return [];
  return Array.isArray(x) ? x : [x];
}

function isTrue(v) {
  return v === true || v === 'true' || v === '${true}';
}

function isExpression(s) {
  return typeof s === 'string' && s.includes('${');
}

/** All strings inside a parsed value, with the top-level attribute path they were found under. */
function* strings(value, trail = []) {
  if (typeof value === 'string') {
    yield [value, trail];
  } else if (Array.isArray(value)) {
    for (const v of value) yield* strings(v, trail);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) yield* strings(v, [...trail, k]);
  }
}

const referenceCache = new Map();
const MAY_REFERENCE = /(?:^|[^A-Za-z0-9_.])(?:var|local|module|data|[a-z][a-z0-9]*_[a-z0-9_]+)\.[A-Za-z_]/;

async function references(expr) {
  if (!MAY_REFERENCE.test(expr)) return [];
  if (!referenceCache.has(expr)) referenceCache.set(expr, referencesUncached(expr));
  return referenceCache.get(expr);
}

async function referencesUncached(expr) {
  try {
    return (await getReferencesInExpression('expr.tf', expr)).map((r) => r.value);
  } catch {
    // Fall back to a plain scan of the interpolations if the expression parser gives up.
    const refs = [];
    for (const m of expr.matchAll(/\b(var|local|module|data)\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?/g)) refs.push(m[0]);
    return refs;
  }
}

function listTfDirs(root) {
  const dirs = new Map();
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.tf')) {
        if (!dirs.has(dir)) dirs.set(dir, []);
        dirs.get(dir).push(full);
      }
    }
  };
  walk(root);
  for (const files of dirs.values()) files.sort();
  return dirs;
}

/** Parses every file of one module directory. Cached: module calls read the callee's declarations. */
const moduleCache = new Map();
async function loadModule(dir) {
  const key = path.resolve(dir);
  if (moduleCache.has(key)) return moduleCache.get(key);
  const mod = { dir: key, files: [], variables: new Map(), outputs: new Map(), locals: new Map(),
    resources: new Map(), data: new Map(), modules: new Map(), providers: [], terraform: [], ok: true };
  moduleCache.set(key, mod);
  if (!fs.existsSync(key) || !fs.statSync(key).isDirectory()) {
    mod.ok = false;
    return mod;
  }
  const files = fs.readdirSync(key).filter((f) => f.endsWith('.tf')).sort().map((f) => path.join(key, f));
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    let json;
    try {
      json = await parse(path.basename(file), text);
    } catch (e) {
      mod.files.push({ file, text, json: null, error: String(e && e.message ? e.message : e) });
      mod.ok = false;
      continue;
    }
    const f = { file, text, json };
    mod.files.push(f);
    for (const [name, bodies] of Object.entries(json.variable || {})) mod.variables.set(name, { f, body: asArray(bodies)[0] || {} });
    for (const [name, bodies] of Object.entries(json.output || {})) mod.outputs.set(name, { f, body: asArray(bodies)[0] || {} });
    for (const block of asArray(json.locals)) for (const [name, v] of Object.entries(block)) mod.locals.set(name, { f, value: v });
    for (const [type, byName] of Object.entries(json.resource || {}))
      for (const [name, bodies] of Object.entries(byName)) mod.resources.set(`${type}.${name}`, { f, type, name, body: asArray(bodies)[0] || {} });
    for (const [type, byName] of Object.entries(json.data || {}))
      for (const [name, bodies] of Object.entries(byName)) mod.data.set(`${type}.${name}`, { f, type, name, body: asArray(bodies)[0] || {} });
    for (const [name, bodies] of Object.entries(json.module || {})) mod.modules.set(name, { f, name, body: asArray(bodies)[0] || {} });
    for (const [name, bodies] of Object.entries(json.provider || {})) for (const b of asArray(bodies)) mod.providers.push({ f, name, body: b });
    for (const b of asArray(json.terraform)) mod.terraform.push({ f, body: b });
  }
  return mod;
}

/** Every top-level block of a module as [file, line, address, body, kind]. */
function blocks(mod) {
  const out = [];
  for (const f of mod.files) {
    if (!f.json) continue;
    const j = f.json;
    for (const [name, b] of Object.entries(j.variable || {})) out.push([f, lineOf(f.text, 'variable', name), `variable.${name}`, b, 'variable']);
    for (const [name, b] of Object.entries(j.output || {})) out.push([f, lineOf(f.text, 'output', name), `output.${name}`, b, 'output']);
    for (const b of asArray(j.locals)) for (const [name, v] of Object.entries(b)) out.push([f, lineOf(f.text, 'locals'), `local.${name}`, v, 'locals']);
    for (const [type, byName] of Object.entries(j.resource || {}))
      for (const [name, b] of Object.entries(byName)) out.push([f, lineOf(f.text, 'resource', type, name), `${type}.${name}`, b, 'resource']);
    for (const [type, byName] of Object.entries(j.data || {}))
      for (const [name, b] of Object.entries(byName)) out.push([f, lineOf(f.text, 'data', type, name), `data.${type}.${name}`, b, 'data']);
    for (const [name, b] of Object.entries(j.module || {})) out.push([f, lineOf(f.text, 'module', name), `module.${name}`, b, 'module']);
    for (const [name, b] of Object.entries(j.provider || {})) out.push([f, lineOf(f.text, 'provider', name), `provider.${name}`, b, 'provider']);
  }
  return out;
}

function isLocalSource(src) {
  return typeof src === 'string' && (src.startsWith('./') || src.startsWith('../'));
}

async function checkReferences(mod) {
  for (const [f, line, address, body, kind] of blocks(mod)) {
    // Names a dynamic block introduces (`statement.value`) are iterators, not resources.
    const iterators = new Set();
    for (const [, trail] of strings(body)) {
      const i = trail.indexOf('dynamic');
      if (i >= 0 && trail[i + 1]) iterators.add(trail[i + 1]);
    }
    for (const [s, trail] of strings(body)) {
      if (trail.includes('iterator')) iterators.add(s);
    }
    const seen = new Set();
    for (const [s, trail] of strings(body)) {
      if (!isExpression(s)) continue;
      if (trail[0] === 'lifecycle' || trail.includes('ignore_changes')) continue;
      // module.x[*].out: the expression parser reports only module.x, so check the output name here.
      for (const m of s.matchAll(/\bmodule\.([A-Za-z0-9_-]+)\[\*\]\.([A-Za-z0-9_-]+)/g)) {
        const call = mod.modules.get(m[1]);
        if (!call || !isLocalSource(call.body.source)) continue;
        const callee = await loadModule(path.join(mod.dir, call.body.source));
        if (callee.ok && !callee.outputs.has(m[2]))
          report(f.file, line, address, 'module-output', `module.${m[1]}[*].${m[2]}: module "${m[1]}" (${call.body.source}) has no output "${m[2]}"`);
      }
      for (const ref of await references(s)) {
        const parts = ref.split('.');
        const key = `${ref}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const [head, a, b] = parts;
        if (iterators.has(head)) continue;
        if (head === 'var') {
          if (!mod.variables.has(a)) report(f.file, line, address, 'undeclared-var', `var.${a} is used but no variable "${a}" is declared in ${display(mod.dir)}`);
        } else if (head === 'local') {
          if (!mod.locals.has(a)) report(f.file, line, address, 'undeclared-local', `local.${a} is used but not declared in ${display(mod.dir)}`);
        } else if (head === 'module') {
          const call = mod.modules.get(a);
          // module.x[0].out is reported as module.x.0.out; module.x["k"].out as module.x.k.out.
          const out = call && (call.body.count !== undefined || call.body.for_each !== undefined) ? parts[3] : b;
          if (!call) {
            report(f.file, line, address, 'undeclared-resource', `module.${a} is used but no module "${a}" is called in ${display(mod.dir)}`);
          } else if (out && isLocalSource(call.body.source)) {
            const callee = await loadModule(path.join(mod.dir, call.body.source));
            if (callee.ok && !callee.outputs.has(out) && !/^\d+$/.test(out))
              report(f.file, line, address, 'module-output', `module.${a}.${out}: module "${a}" (${call.body.source}) has no output "${out}"`);
          }
        } else if (head === 'data') {
          if (a && b && !mod.data.has(`${a}.${b}`)) report(f.file, line, address, 'undeclared-resource', `data.${a}.${b} is used but not declared in ${display(mod.dir)}`);
        } else if (RESOURCE_PREFIXES.test(head) && a && kind !== 'variable') {
          if (!mod.resources.has(`${head}.${a}`)) report(f.file, line, address, 'undeclared-resource', `${head}.${a} is used but not declared in ${display(mod.dir)}`);
        }
      }
    }
  }
}

function checkDeclarations(mod) {
  for (const [name, { f, body }] of mod.variables) {
    const line = lineOf(f.text, 'variable', name);
    if (body.type === undefined) report(f.file, line, `variable.${name}`, 'variable-type', `variable "${name}" has no type`);
    if (typeof body.description !== 'string' || !body.description.trim())
      report(f.file, line, `variable.${name}`, 'variable-description', `variable "${name}" has no description`);
  }
  for (const [name, { f, body }] of mod.outputs) {
    if (typeof body.description !== 'string' || !body.description.trim())
      report(f.file, lineOf(f.text, 'output', name), `output.${name}`, 'output-description', `output "${name}" has no description`);
  }
}

async function checkModuleCalls(mod) {
  for (const [name, { f, body }] of mod.modules) {
    const line = lineOf(f.text, 'module', name);
    if (!isLocalSource(body.source)) continue;
    const callee = await loadModule(path.join(mod.dir, body.source));
    if (!callee.ok && callee.files.length === 0) {
      report(f.file, line, `module.${name}`, 'module-input', `source "${body.source}" is not a directory with .tf files`);
      continue;
    }
    for (const arg of Object.keys(body)) {
      if (MODULE_META_ARGS.has(arg)) continue;
      if (!callee.variables.has(arg)) report(f.file, line, `module.${name}`, 'module-input', `argument "${arg}" is not a variable of ${body.source}`);
    }
    for (const [vname, v] of callee.variables) {
      if (!('default' in v.body) && !(vname in body))
        report(f.file, line, `module.${name}`, 'module-input', `required variable "${vname}" of ${body.source} is not set`);
    }
  }
}

function checkLayout(mod, root) {
  const rel = path.relative(root, mod.dir).split(path.sep);
  const isExample = rel.includes('examples');
  for (const p of mod.providers) {
    if (!isExample)
      report(p.f.file, lineOf(p.f.text, 'provider', p.name), `provider.${p.name}`, 'provider-in-module',
        'provider blocks belong in examples/ (the caller configures providers); remove it from this module');
  }
  const hasVersion = mod.terraform.some((t) => t.body.required_version);
  const hasProviders = mod.terraform.some((t) => t.body.required_providers);
  if (!hasVersion || !hasProviders) {
    const f = mod.files.find((x) => path.basename(x.file) === 'versions.tf') || mod.files[0];
    report(f.file, 1, 'terraform', 'versions', 'module needs a terraform block with required_version and required_providers (versions.tf)');
  }
}

// ------------------------------------------------------------------------------------- IAM

/** Normalises statements of aws_iam_policy_document blocks and of JSON/jsonencode policies. */
function documentStatements(body) {
  const out = [];
  for (const st of asArray(body.statement)) out.push(st);
  for (const dyn of asArray(body.dynamic && body.dynamic.statement)) for (const c of asArray(dyn.content)) out.push(c);
  return out.map((st, i) => ({
    label: `statement[${i}]${st.sid ? ` (${st.sid})` : ''}`,
    effect: st.effect || 'Allow',
    actions: asArray(st.actions).flat(),
    notActions: asArray(st.not_actions).flat(),
    resources: asArray(st.resources).flat(),
    conditions: [...asArray(st.condition), ...asArray(st.dynamic && st.dynamic.condition).flatMap((d) => asArray(d.content))]
      .map((c) => ({ variable: c.variable, values: asArray(c.values).flat(), test: c.test })),
  }));
}

function jsonStatements(policy) {
  const stmts = asArray(policy && policy.Statement);
  return stmts.map((st, i) => ({
    label: `Statement[${i}]${st.Sid ? ` (${st.Sid})` : ''}`,
    effect: st.Effect || 'Allow',
    actions: asArray(st.Action).flat(),
    notActions: asArray(st.NotAction).flat(),
    resources: asArray(st.Resource).flat(),
    conditions: Object.entries(st.Condition || {}).flatMap(([test, vars]) =>
      Object.entries(vars || {}).map(([variable, values]) => ({ test, variable, values: asArray(values).map(String) }))),
  }));
}

/** A policy attribute value: a JSON string, `${jsonencode({...})}`, or a reference (checked where it is defined). */
async function policyFromValue(value) {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  const m = /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(trimmed);
  if (m) {
    try {
      const parsed = await parse('policy.tf', `locals {\n  policy = ${m[1]}\n}\n`);
      return asArray(parsed.locals)[0].policy;
    } catch {
      return null;
    }
  }
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return null;
    }
  }
  return null;
}

function checkStatements(file, line, address, statements) {
  for (const st of statements) {
    const where = `${address} ${st.label}`;
    if (String(st.effect).toLowerCase() !== 'allow') continue;
    for (const a of st.actions) {
      if (typeof a !== 'string') continue;
      if (a.includes('*'))
        report(file, line, where, 'no-wildcard-action', `Allow statement grants wildcard action "${a}"; list the exact actions`);
    }
    if (st.notActions.length)
      report(file, line, where, 'no-not-action', 'Allow statement uses NotAction, which grants everything not listed');
    const starResource = st.resources.some((r) => r === '*');
    if (starResource) {
      const scopable = st.actions.filter((a) => typeof a === 'string' && !UNSCOPABLE_ACTIONS.has(a.toLowerCase()));
      if (scopable.length)
        report(file, line, where, 'no-star-resource',
          `Resource "*" for actions that support resource-level scoping: ${scopable.join(', ')}`);
    }
  }
}

async function checkIam(mod) {
  for (const [key, d] of mod.data) {
    if (d.type !== 'aws_iam_policy_document') continue;
    const line = lineOf(d.f.text, 'data', d.type, d.name);
    checkStatements(d.f.file, line, `data.${key}`, documentStatements(d.body));
  }
  const policyAttrs = ['policy', 'assume_role_policy', 'inline_policy'];
  for (const [key, r] of mod.resources) {
    const line = lineOf(r.f.text, 'resource', r.type, r.name);
    for (const attr of policyAttrs) {
      for (const v of asArray(r.body[attr])) {
        const value = typeof v === 'object' && v !== null ? v.policy : v;
        const policy = await policyFromValue(value);
        if (policy) checkStatements(r.f.file, line, `${key}.${attr}`, jsonStatements(policy));
      }
    }
    if (/_policy_attachment$/.test(r.type) || r.type === 'aws_iam_role') {
      for (const [s] of strings(r.body)) {
        if (/^arn:aws[a-z-]*:iam::aws:policy\//.test(s))
          report(r.f.file, line, key, 'no-aws-managed-policy', `attaches AWS-managed policy ${s}; write a least-privilege policy document instead`);
      }
    }
  }
  for (const [name, l] of mod.locals) {
    const policy = await policyFromValue(l.value);
    if (policy && policy.Statement) checkStatements(l.f.file, lineOf(l.f.text, 'locals'), `local.${name}`, jsonStatements(policy));
  }
}

// ---------------------------------------------------------------------------------- storage

function referencesBlock(value, type, name) {
  for (const [s] of strings(value)) {
    if (s.includes(`${type}.${name}.`) || s.includes(`${type}.${name}[`)) return true;
  }
  return false;
}

function resourcesOfType(mod, type) {
  return [...mod.resources.values()].filter((r) => r.type === type);
}

function sseAlgorithmOk(v) {
  if (typeof v !== 'string') return false;
  if (SSE_ALGORITHMS.has(v)) return true;
  if (!isExpression(v)) return false;
  const literals = [...v.matchAll(/"([^"$]*)"/g)].map((m) => m[1]);
  return literals.length > 0 && literals.every((l) => SSE_ALGORITHMS.has(l));
}

function checkStorage(mod) {
  const pabs = resourcesOfType(mod, 'aws_s3_bucket_public_access_block');
  const sses = resourcesOfType(mod, 'aws_s3_bucket_server_side_encryption_configuration');
  const policies = resourcesOfType(mod, 'aws_s3_bucket_policy');
  const flags = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];

  for (const p of pabs) {
    const line = lineOf(p.f.text, 'resource', p.type, p.name);
    const bad = flags.filter((fl) => !isTrue(p.body[fl]));
    if (bad.length)
      report(p.f.file, line, `${p.type}.${p.name}`, 's3-public-access-block',
        `all four flags must be literally true; not true: ${bad.map((b) => `${b} = ${JSON.stringify(p.body[b])}`).join(', ')}`);
  }
  for (const s of sses) {
    const line = lineOf(s.f.text, 'resource', s.type, s.name);
    const rules = asArray(s.body.rule);
    const algos = rules.flatMap((r) => asArray(r.apply_server_side_encryption_by_default)).map((d) => d.sse_algorithm);
    if (!algos.length || !algos.every(sseAlgorithmOk))
      report(s.f.file, line, `${s.type}.${s.name}`, 's3-sse', `sse_algorithm must be one of ${[...SSE_ALGORITHMS].join(', ')}; got ${JSON.stringify(algos)}`);
  }

  const tlsDeny = [...mod.data.values()]
    .filter((d) => d.type === 'aws_iam_policy_document')
    .flatMap((d) => documentStatements(d.body))
    .some((st) => String(st.effect).toLowerCase() === 'deny' && st.conditions.some((c) => c.variable === 'aws:SecureTransport' && c.values.map(String).includes('false')));

  for (const b of resourcesOfType(mod, 'aws_s3_bucket')) {
    const line = lineOf(b.f.text, 'resource', b.type, b.name);
    const address = `${b.type}.${b.name}`;
    if (!pabs.some((p) => referencesBlock(p.body.bucket, b.type, b.name)))
      report(b.f.file, line, address, 's3-public-access-block', 'bucket has no aws_s3_bucket_public_access_block');
    if (!sses.some((s) => referencesBlock(s.body.bucket, b.type, b.name)))
      report(b.f.file, line, address, 's3-sse', 'bucket has no aws_s3_bucket_server_side_encryption_configuration');
    if (!policies.some((p) => referencesBlock(p.body.bucket, b.type, b.name)) || !tlsDeny)
      report(b.f.file, line, address, 's3-tls-only', 'bucket needs a bucket policy that denies requests with aws:SecureTransport = false');
  }

  for (const t of resourcesOfType(mod, 'aws_dynamodb_table')) {
    const line = lineOf(t.f.text, 'resource', t.type, t.name);
    const address = `${t.type}.${t.name}`;
    const pitr = asArray(t.body.point_in_time_recovery);
    if (!pitr.length || !pitr.every((p) => isTrue(p.enabled)))
      report(t.f.file, line, address, 'dynamodb-pitr', 'point_in_time_recovery { enabled = true } is required');
    const sse = asArray(t.body.server_side_encryption);
    if (!sse.length || !sse.every((p) => isTrue(p.enabled)))
      report(t.f.file, line, address, 'dynamodb-sse', 'server_side_encryption { enabled = true } is required');
  }
}

// ------------------------------------------------------------------------------------- facts

const facts = [];

function collectFacts(mod, root) {
  const dir = path.relative(root, mod.dir).split(path.sep).join('/') || '.';
  for (const [key, r] of mod.resources) facts.push(`fact: ${dir} resource ${key} ${JSON.stringify(r.body)}`);
  for (const [name, m] of mod.modules) facts.push(`fact: ${dir} module ${name} ${JSON.stringify(m.body)}`);
  for (const [name, l] of mod.locals) facts.push(`fact: ${dir} local ${name} ${JSON.stringify(l.value)}`);
  for (const [key, d] of mod.data) {
    if (d.type !== 'aws_iam_policy_document') continue;
    const body = d.body;
    const raw = [...asArray(body.statement), ...asArray(body.dynamic && body.dynamic.statement).flatMap((dyn) => asArray(dyn.content))];
    documentStatements(body).forEach((st, i) => {
      const sid = (raw[i] && raw[i].sid) || '-';
      facts.push(`fact: ${dir} statement data.${key} ${sid} effect=${st.effect} actions=${st.actions.join(',')} resources=${st.resources.join(' | ')}`);
    });
  }
}

// -------------------------------------------------------------------------------------- main

async function main(argv) {
  const withFacts = argv.includes('--facts');
  const args = argv.filter((a) => a !== '--facts');
  if (!args.length || args.includes('-h') || args.includes('--help')) {
    console.error('usage: node hcl-check.mjs [--facts] <terraform-dir> [<dir>...]');
    return 2;
  }
  for (const arg of args) {
    const root = path.resolve(arg);
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
      console.error(`hcl-check: ${arg} is not a directory`);
      return 2;
    }
    const dirs = listTfDirs(root);
    if (!dirs.size) {
      console.error(`hcl-check: no .tf files under ${arg}`);
      return 2;
    }
    for (const dir of dirs.keys()) {
      const mod = await loadModule(dir);
      moduleCount++;
      fileCount += mod.files.length;
      for (const f of mod.files) {
        if (f.error) report(f.file, 1, 'file', 'hcl-syntax', `does not parse: ${f.error.split('\n')[0]}`);
      }
      checkDeclarations(mod);
      await checkReferences(mod);
      await checkModuleCalls(mod);
      checkLayout(mod, root);
      await checkIam(mod);
      checkStorage(mod);
      if (withFacts) collectFacts(mod, root);
    }
  }
  for (const fact of facts) console.log(fact);
  const unique = [...new Set(violations)];
  for (const v of unique) console.log(v);
  console.log(`hcl-check: ${fileCount} files in ${moduleCount} modules, ${unique.length} violation(s)`);
  return unique.length ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`hcl-check: internal error: ${e && e.stack ? e.stack : e}`);
    process.exit(2);
  },
);

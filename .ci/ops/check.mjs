// Offline checks of what .ci/ops-checks cannot hand to a dedicated tool:
//   node check.mjs manifests <deploy dir>        every manifest against its schema (kubernetes-models; KEDA and
//                                                 Prometheus Operator models for their CRDs; Strimzi's KafkaTopic
//                                                 by hand), plus the cross-references between them
//   node check.mjs queries <scrape> <file>...    every PromQL query of a Grafana dashboard (.json) or of Prometheus
//                                                 rules (.yml) parses and names only series of a real scrape of
//                                                 the worker (genworker_* from the meter catalogue, kafka_consumer_*)
import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { join, relative, dirname, resolve } from "node:path";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { parser as promql } from "@prometheus-io/lezer-promql";

const failures = [];
const fail = (where, message) => failures.push(`${where}: ${message}`);

function yamlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

// ---- manifests ------------------------------------------------------------------------------------------------

/** Where kubernetes-models keeps the model of an apiVersion/kind (core group "v1" has no group folder). */
function modelModule(apiVersion, kind) {
  if (apiVersion === "keda.sh/v1alpha1") return `@kubernetes-models/keda/keda.sh/v1alpha1/${kind}`;
  if (apiVersion.startsWith("monitoring.coreos.com/")) {
    return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  }
  return `kubernetes-models/${apiVersion}/${kind}`;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Strimzi publishes no npm models: its required fields and types, checked by hand. */
function checkKafkaTopic(where, topic) {
  if (topic.apiVersion !== "kafka.strimzi.io/v1beta2") fail(where, `KafkaTopic apiVersion ${topic.apiVersion}`);
  const name = topic.metadata?.name;
  if (typeof name !== "string" || !DNS_SUBDOMAIN.test(name) || name.length > 253) fail(where, `bad name ${name}`);
  if (!topic.metadata?.labels?.["strimzi.io/cluster"]) fail(where, `${name}: no strimzi.io/cluster label`);
  const spec = topic.spec ?? {};
  for (const field of ["partitions", "replicas"]) {
    if (!Number.isInteger(spec[field]) || spec[field] < 1) fail(where, `${name}: spec.${field} must be an integer >= 1`);
  }
  if (typeof spec.topicName !== "string") fail(where, `${name}: spec.topicName missing`);
  if (spec.config !== undefined && (typeof spec.config !== "object" || Array.isArray(spec.config))) {
    fail(where, `${name}: spec.config must be a map`);
  }
  const unknown = Object.keys(spec).filter((k) => !["partitions", "replicas", "topicName", "config"].includes(k));
  if (unknown.length) fail(where, `${name}: unknown spec fields ${unknown}`);
}

/** The topic policies kafka/TopicInitializer.java creates, which KafkaTopics and create-topics.sh must repeat. */
const JOB_LOG_CONFIG = { "cleanup.policy": "compact,delete", "retention.ms": "604800000", "min.compaction.lag.ms": "3600000" };
const TOPICS = ["generation.requests", "generation.jobs", "generation.results", "generation.requests.dlq",
  "generation.control"];

async function manifests(deployDir) {
  const byKind = {};
  const referenced = new Set();
  for (const file of yamlFiles(deployDir)) {
    const where = relative(process.cwd(), file);
    for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
      if (doc.errors.length) {
        fail(where, doc.errors.map((e) => e.message).join("; "));
        continue;
      }
      const object = doc.toJS();
      if (!object) continue;
      const { apiVersion, kind } = object;
      if (!apiVersion || !kind) {
        fail(where, "no apiVersion/kind");
        continue;
      }
      if (kind === "Kustomization") {
        for (const resource of object.resources ?? []) {
          const path = resolve(dirname(file), resource);
          if (!existsSync(path)) fail(where, `resource ${resource} does not exist`);
          referenced.add(path);
        }
        continue;
      }
      (byKind[kind] ??= []).push({ where, object });
      if (kind === "KafkaTopic") {
        checkKafkaTopic(where, object);
        continue;
      }
      let Model;
      try {
        Model = (await import(modelModule(apiVersion, kind)))[kind];
      } catch (e) {
        fail(where, `no schema for ${apiVersion} ${kind}`);
        continue;
      }
      try {
        new Model(object).validate();
        console.log(`  ok  ${where}: ${apiVersion} ${kind} ${object.metadata?.name}`);
      } catch (e) {
        fail(where, `${kind} ${object.metadata?.name}: ${e.message}`);
      }
    }
  }
  for (const file of yamlFiles(deployDir)) {
    const name = file.split("/").pop();
    if (name !== "kustomization.yaml" && !name.includes(".example.") && !referenced.has(resolve(file))) {
      fail(relative(process.cwd(), file), "not listed in any kustomization");
    }
  }
  crossReferences(byKind, deployDir);
}

function crossReferences(byKind, deployDir) {
  const one = (kind) => {
    const all = byKind[kind] ?? [];
    if (all.length !== 1) fail("deploy", `expected one ${kind}, found ${all.length}`);
    return all[0]?.object ?? {};
  };
  const deployment = one("Deployment");
  const podLabels = deployment.spec?.template?.metadata?.labels ?? {};
  const matches = (selector, where) => {
    for (const [k, v] of Object.entries(selector ?? {})) {
      if (podLabels[k] !== v) fail(where, `selector ${k}=${v} matches no pod label of the Deployment`);
    }
  };
  matches(one("Service").spec?.selector, "Service");
  matches(one("PodDisruptionBudget").spec?.selector?.matchLabels, "PodDisruptionBudget");
  const container = deployment.spec?.template?.spec?.containers?.[0] ?? {};
  if (container.livenessProbe?.httpGet?.path !== "/q/health/live") fail("Deployment", "liveness probe is not /q/health/live");
  if (container.readinessProbe?.httpGet?.path !== "/q/health/ready") fail("Deployment", "readiness probe is not /q/health/ready");
  if ((deployment.spec?.template?.spec?.terminationGracePeriodSeconds ?? 30) < 60) {
    fail("Deployment", "terminationGracePeriodSeconds below the 60 s a clean hand-over may take");
  }
  const scaled = one("ScaledObject");
  if (scaled.spec?.scaleTargetRef?.name !== deployment.metadata?.name) fail("ScaledObject", "does not target the Deployment");
  const lagTrigger = scaled.spec?.triggers?.find((t) => t.type === "kafka")?.metadata ?? {};
  if (lagTrigger.consumerGroup !== "generation-worker-intake" || lagTrigger.topic !== "generation.requests") {
    fail("ScaledObject", "the kafka trigger must watch group generation-worker-intake on generation.requests");
  }
  const monitor = one("ServiceMonitor");
  if (monitor.spec?.endpoints?.[0]?.path !== "/q/metrics") fail("ServiceMonitor", "path is not /q/metrics");

  const topics = (byKind.KafkaTopic ?? []).map((t) => t.object.spec);
  const names = topics.map((t) => t.topicName).sort();
  if (JSON.stringify(names) !== JSON.stringify([...TOPICS].sort())) fail("KafkaTopic", `topics ${names}, expected ${TOPICS}`);
  if (new Set(topics.map((t) => t.partitions)).size !== 1) fail("KafkaTopic", "all four topics need the same partition count");
  const jobs = topics.find((t) => t.topicName === "generation.jobs");
  const script = readFileSync(join(deployDir, "create-topics.sh"), "utf8");
  for (const [key, value] of Object.entries(JOB_LOG_CONFIG)) {
    if (String(jobs?.config?.[key]) !== value) fail("KafkaTopic generation.jobs", `${key} must be ${value}`);
    if (!script.includes(key) || !script.includes(value)) fail("create-topics.sh", `${key}=${value} missing`);
  }
}

// ---- queries --------------------------------------------------------------------------------------------------

/** Series names of a Prometheus text exposition. */
function scrapedSeries(path) {
  return new Set(readFileSync(path, "utf8").split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => line.split(/[{ ]/, 1)[0]));
}

function expressions(file) {
  const text = readFileSync(file, "utf8");
  const found = [];
  const walk = (node) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if ((key === "expr") && typeof value === "string") found.push(value);
        else walk(value);
      }
    }
  };
  walk(file.endsWith(".json") ? JSON.parse(text) : parseYaml(text));
  return found;
}

/** Metric names a query selects, or the parse errors it has. */
function selectedMetrics(expr) {
  const names = [];
  const errors = [];
  const cursor = promql.parse(expr).cursor();
  do {
    if (cursor.type.isError) errors.push(`syntax error at ${cursor.from}`);
    if (cursor.name === "Identifier" && cursor.node.parent?.name === "VectorSelector") {
      names.push(expr.slice(cursor.from, cursor.to));
    }
  } while (cursor.next());
  return { names, errors };
}

/** Series Prometheus makes itself rather than scrapes. */
const SYNTHETIC = new Set(["up"]);

function queries(scrape, files) {
  const series = scrapedSeries(scrape);
  for (const file of files) {
    const where = relative(process.cwd(), file);
    const all = expressions(file);
    if (all.length === 0) fail(where, "no queries found");
    for (const expr of all) {
      const { names, errors } = selectedMetrics(expr);
      errors.forEach((e) => fail(where, `${e} in ${expr}`));
      if (names.length === 0) fail(where, `no metric in ${expr}`);
      for (const name of names) {
        if (SYNTHETIC.has(name)) continue;
        if (!/^(genworker_|kafka_consumer_)/.test(name)) fail(where, `${name} is neither a catalogue meter nor a Kafka consumer metric`);
        else if (!series.has(name)) fail(where, `${name} is not in the worker's scrape`);
      }
    }
    console.log(`  ok  ${where}: ${all.length} queries`);
  }
}

// ---- main -----------------------------------------------------------------------------------------------------

const [command, ...args] = process.argv.slice(2);
if (command === "manifests") await manifests(args[0]);
else if (command === "queries") queries(args[0], args.slice(1));
else {
  console.error("usage: check.mjs manifests <dir> | queries <scrape> <file>...");
  process.exit(2);
}
if (failures.length) {
  failures.forEach((f) => console.error(`FAIL ${f}`));
  process.exit(1);
}

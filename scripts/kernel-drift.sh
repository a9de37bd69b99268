#!/usr/bin/env bash
# Measures how far the libtorch engine's fast slices drift when libtorch's kernel choice changes, and how far
# they spread across seeds, and writes baselines/cross-hardware.json: the per-experiment tolerances used when a
# machine has no baseline of its own (ExperimentBaselines.CrossHardware). Run records stay under OUT; runs already
# there are reused.
#
#   scripts/kernel-drift.sh [OUT]      (default OUT: /tmp/mnist-claims-kernel-drift; about 30 min on 2 cores)
#
# Variants, each the experiment's fast slice (seed 1, libtorch engine) in its own process:
#   pinned       the harness's pins (ATEN_CPU_CAPABILITY=avx2, OPENBLAS_CORETYPE=Haswell)
#   prescott     OPENBLAS_CORETYPE=Prescott (OpenBLAS's generic SSE3 GEMM, what some Intel VMs detect)
#   aten-default ATEN_CPU_CAPABILITY=default (ATen's non-vectorised kernels)
#   both         both of the above
# and seeds 2..5 of the pinned variant (seed-to-seed spread of the same slice).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-/tmp/mnist-claims-kernel-drift}"
HARNESS=(dotnet "$ROOT/src/Harness/bin/Release/net10.0/harness.dll")
mkdir -p "$OUT/configs"
"${HARNESS[@]}" claims --experiments --json > "$OUT/experiments.json"
node -e '
  const fs = require("fs"); const [file, dir] = process.argv.slice(1);
  for (const e of JSON.parse(fs.readFileSync(file, "utf8"))) {
    const c = { ...e.config, max_steps: e.fast_steps, engine: "libtorch" };
    fs.writeFileSync(`${dir}/${e.id}.json`, JSON.stringify(c));
  }' "$OUT/experiments.json" "$OUT/configs"

train() { # train VARIANT SEED ID [ENV...]
  local variant=$1 seed=$2 id=$3; shift 3
  local dir="$OUT/$variant/$id-s$seed"
  [[ -f "$dir/manifest.json" ]] && return 0
  env "$@" "${HARNESS[@]}" train --config "$OUT/configs/$id.json" --seed "$seed" --out "$dir" --overwrite \
    --data-dir "${MNIST_CLAIMS_DATA:-$ROOT/.cache/mnist}" > /dev/null
}
for cfg in "$OUT"/configs/*.json; do
  id=$(basename "$cfg" .json)
  echo "kernel-drift: $id" >&2
  train pinned 1 "$id"
  train prescott 1 "$id" OPENBLAS_CORETYPE=Prescott
  train aten-default 1 "$id" ATEN_CPU_CAPABILITY=default
  train both 1 "$id" OPENBLAS_CORETYPE=Prescott ATEN_CPU_CAPABILITY=default
  for s in 2 3 4 5; do train pinned "$s" "$id"; done
done

# Per experiment: the largest deviation of every kernel variant from the pinned seed-1 run (per-step loss relative,
# per-step correct count, the final evaluation's losses relative and counts, per-class scores, number of misses),
# and the spread of the same slice across seeds 1-5; then the tolerances derived from them.
P="$OUT"
RUN="regexp_extract(filename, '/([^/]+)/([^/]+)-s([0-9]+)/[a-z]+[.]parquet', 1) AS variant,
     regexp_extract(filename, '/([^/]+)/([^/]+)-s([0-9]+)/[a-z]+[.]parquet', 2) AS exp,
     CAST(regexp_extract(filename, '-s([0-9]+)/[a-z]+[.]parquet', 1) AS INT) AS seed"
node "$ROOT/tools/duckdb/query.mjs" "
CREATE MACRO rel(a, b) AS abs(a - b) / greatest(abs(b), 1e-30);
WITH s AS (SELECT $RUN, step, loss, correct FROM read_parquet('$P/*/*/steps.parquet', filename = true)),
e AS (SELECT $RUN, * EXCLUDE (filename) FROM read_parquet('$P/*/*/epochs.parquet', filename = true)),
c AS (SELECT $RUN, * EXCLUDE (filename) FROM read_parquet('$P/*/*/classes.parquet', filename = true)),
m AS (SELECT $RUN, count(*) AS misses FROM read_parquet('$P/*/*/misses.parquet', filename = true) GROUP BY ALL),
steps AS (SELECT x.exp, max(rel(x.loss, b.loss)) AS step_loss_rel, max(abs(x.correct - b.correct)) AS step_correct
          FROM s x JOIN s b ON b.variant = 'pinned' AND b.seed = 1 AND b.exp = x.exp AND b.step = x.step
          WHERE x.seed = 1 AND x.variant <> 'pinned' GROUP BY x.exp),
ev AS (SELECT x.exp,
         max(greatest(rel(x.train_loss, b.train_loss), rel(x.train_loss_weighted, b.train_loss_weighted), rel(x.train_loss_last, b.train_loss_last),
                      rel(x.test_loss, b.test_loss), rel(x.test_loss_batch_mean, b.test_loss_batch_mean),
                      coalesce(rel(x.val_loss, b.val_loss), 0), coalesce(rel(x.val_loss_batch_mean, b.val_loss_batch_mean), 0))) AS eval_loss_rel,
         max(greatest(abs(x.train_correct - b.train_correct), abs(x.test_correct - b.test_correct), coalesce(abs(x.val_correct - b.val_correct), 0))) AS eval_count
       FROM e x JOIN e b ON b.variant = 'pinned' AND b.seed = 1 AND b.exp = x.exp AND b.epoch = x.epoch
       WHERE x.seed = 1 AND x.variant <> 'pinned' GROUP BY x.exp),
cl AS (SELECT x.exp,
         max(greatest(abs(x.predicted - b.predicted), abs(x.true_positives - b.true_positives),
                      abs(x.pred_0 - b.pred_0), abs(x.pred_1 - b.pred_1), abs(x.pred_2 - b.pred_2), abs(x.pred_3 - b.pred_3), abs(x.pred_4 - b.pred_4),
                      abs(x.pred_5 - b.pred_5), abs(x.pred_6 - b.pred_6), abs(x.pred_7 - b.pred_7), abs(x.pred_8 - b.pred_8), abs(x.pred_9 - b.pred_9))) AS class_count,
         max(greatest(abs(x.precision - b.precision), abs(x.recall - b.recall), abs(x.f1 - b.f1))) AS class_score
       FROM c x JOIN c b ON b.variant = 'pinned' AND b.seed = 1 AND b.exp = x.exp AND b.class = x.class
       WHERE x.seed = 1 AND x.variant <> 'pinned' GROUP BY x.exp),
mi AS (SELECT x.exp, max(abs(x.misses - b.misses)) AS misses
       FROM m x JOIN m b ON b.variant = 'pinned' AND b.seed = 1 AND b.exp = x.exp WHERE x.seed = 1 AND x.variant <> 'pinned' GROUP BY x.exp),
sp AS (SELECT exp, max(test_correct) - min(test_correct) AS seed_test_correct_range,
              (max(train_loss) - min(train_loss)) / avg(train_loss) AS seed_train_loss_rel_range,
              (max(test_loss) - min(test_loss)) / avg(test_loss) AS seed_test_loss_rel_range
       FROM e WHERE variant = 'pinned' AND epoch = (SELECT max(epoch) FROM e e2 WHERE e2.exp = e.exp) GROUP BY exp)
SELECT * FROM steps JOIN ev USING (exp) JOIN cl USING (exp) JOIN mi USING (exp) JOIN sp USING (exp) ORDER BY exp
" > "$OUT/drift.json"

# Tolerances. Stable experiments (per-step loss drift below 1e-3 relative, i.e. rounding-level differences that stay
# small): 4x the largest drift for losses and scores (floor 1e-6), 2x for counts (floor 1). Chaotic experiments (their
# trajectory separates under a kernel change as another seed's would): at least the seed-to-seed range of the slice,
# and the batch size for one step's correct count: the most a cross-profile check can tell there; the notice says so.
# Per-class precision/recall/F1 move by 1/support when a count moves, so they get at least count tolerance / 892.
node -e '
  const fs = require("fs"); const [file, out, exps] = process.argv.slice(1);
  const d = JSON.parse(fs.readFileSync(file, "utf8"));
  const batch = Object.fromEntries(JSON.parse(fs.readFileSync(exps, "utf8")).map(e => [e.id, e.config.batch_size]));
  const col = Object.fromEntries(d.columns.map((c, i) => [c.name, i]));
  const up = x => { if (x <= 0) return 0; const e = Math.floor(Math.log10(x)), m = x / 10 ** e; const n = m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10; return +(n * 10 ** e).toPrecision(2); };
  const res = {};
  for (const r of d.rows) {
    const v = k => Number(r[col[k]]);
    const chaotic = v("step_loss_rel") >= 1e-3;
    const seedLoss = chaotic ? Math.max(v("seed_train_loss_rel_range"), v("seed_test_loss_rel_range")) : 0;
    const seedCount = chaotic ? v("seed_test_correct_range") : 0;
    res[r[col.exp]] = {
      measured: Object.fromEntries(d.columns.filter(c => c.name !== "exp").map(c => [c.name, v(c.name)])),
      chaotic,
      step_loss_rtol: Math.max(1e-6, up(Math.max(4 * v("step_loss_rel"), seedLoss))),
      step_correct_atol: Math.max(1, 2 * v("step_correct"), chaotic ? batch[r[col.exp]] : 0),
      eval_loss_rtol: Math.max(1e-6, up(Math.max(4 * v("eval_loss_rel"), seedLoss))),
      eval_count_atol: Math.max(1, 2 * Math.max(v("eval_count"), v("class_count"), v("misses")), seedCount),
    };
    // a per-class score moves by 1/support when one count moves: 892 is the smallest class of the test set
    res[r[col.exp]].class_score_atol = Math.max(1e-6, up(Math.max(4 * v("class_score"), res[r[col.exp]].eval_count_atol / 892)));
  }
  fs.writeFileSync(out, JSON.stringify({
    generated_by: "scripts/kernel-drift.sh",
    variants: ["OPENBLAS_CORETYPE=Prescott", "ATEN_CPU_CAPABILITY=default", "both"], seeds_for_spread: [1, 2, 3, 4, 5],
    rule: "stable (per-step loss drift < 1e-3): losses and scores 4x the largest drift between kernel choices (floor 1e-6), counts 2x (floor 1); chaotic: at least the seed-to-seed range of the fast slice (losses relative, test count) and the batch size for the correct count of one step; per-class scores at least the count tolerance / 892 (the smallest test class)",
    experiments: res }, null, 2) + "\n");
  console.log(`wrote ${out}: ${Object.keys(res).length} experiments, ${Object.values(res).filter(x => x.chaotic).length} chaotic`);
' "$OUT/drift.json" "${DRIFT_OUT:-$ROOT/baselines/cross-hardware.json}" "$OUT/experiments.json"

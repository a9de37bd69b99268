#!/usr/bin/env bash
# make gpu-bundle: one folder (< 64 MiB) that runs every experiment with --device cuda on a GPU host that has
# PyTorch 2.x + CUDA, CMake and g++, but no .NET:
#   dist/gpu-bundle/
#     harness/                  the published harness (framework-dependent, linux-x64: only that platform's SkiaSharp library)
#     dotnet-runtime.tar.gz     the .NET runtime taken from this machine's SDK (host + Microsoft.NETCore.App)
#     native/                   the shim sources (built there against torch.utils.cmake_prefix_path)
#     mnist/                    the four MNIST IDX files, gzipped (verified by SHA-256 after unpacking)
#     tools/train_reference.py  the plain PyTorch script, for the GPU bench
#     run-gpu.sh                builds the shim, runs the experiments, writes Parquet results to an output folder
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/dist/gpu-bundle}"
DOTNET_ROOT_DIR="$(dirname "$(readlink -f "$(command -v dotnet)")")"
rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp"/{harness,native,mnist,tools}

echo "gpu-bundle: publishing the harness"
dotnet publish "$ROOT/src/Harness" -c Release -r linux-x64 --self-contained false -o "$OUT.tmp/harness" --nologo -v quiet -p:DebugType=none

echo "gpu-bundle: packing the .NET runtime from $DOTNET_ROOT_DIR"
runtime=$(ls -d "$DOTNET_ROOT_DIR"/shared/Microsoft.NETCore.App/10.* | sort -V | tail -1)
fxr=$(ls -d "$DOTNET_ROOT_DIR"/host/fxr/* | sort -V | tail -1)
tar -C "$DOTNET_ROOT_DIR" -czf "$OUT.tmp/dotnet-runtime.tar.gz" dotnet "host/fxr/$(basename "$fxr")" "shared/Microsoft.NETCore.App/$(basename "$runtime")"

cp "$ROOT"/src/Native/*.cpp "$ROOT"/src/Native/*.h "$ROOT"/src/Native/CMakeLists.txt "$OUT.tmp/native/"
cp "$ROOT/tools/reference/train_reference.py" "$OUT.tmp/tools/"
data="${MNIST_CLAIMS_DATA:-$ROOT/.cache/mnist}"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [ -f "$data/$f" ] || { echo "gpu-bundle: $data/$f missing; run make setup" >&2; exit 1; }
  gzip -9 -c "$data/$f" > "$OUT.tmp/mnist/$f.gz"
done

cat > "$OUT.tmp/run-gpu.sh" <<'RUN'
#!/usr/bin/env bash
# run-gpu.sh OUT_DIR [harness reproduce options]   e.g.  run-gpu.sh /tmp/out --seeds 1 --jobs 1
# Builds the shim against this machine's PyTorch libtorch, then trains every experiment with --device cuda.
# OUT_DIR receives runs/ (Parquet run records), verdicts.{md,json}, bench.md and logs.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$(mkdir -p "${1:?usage: run-gpu.sh OUT_DIR [reproduce options]}" && cd "$1" && pwd)"; shift
WORK="${TMPDIR:-/tmp}/mnist-claims-gpu"
mkdir -p "$WORK/dotnet" "$WORK/mnist"
tar -C "$WORK/dotnet" -xzf "$HERE/dotnet-runtime.tar.gz"
for f in "$HERE"/mnist/*.gz; do gunzip -c "$f" > "$WORK/mnist/$(basename "$f" .gz)"; done
( cd "$WORK/mnist" && sha256sum -c --quiet <<'SUMS'
ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db  train-images-idx3-ubyte
65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5  train-labels-idx1-ubyte
0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7  t10k-images-idx3-ubyte
ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2  t10k-labels-idx1-ubyte
SUMS
)
PY="${PYTHON:-python3}"
PREFIX="$("$PY" -c 'import torch; print(torch.utils.cmake_prefix_path)')"
echo "run-gpu: torch $("$PY" -c 'import torch; print(torch.__version__, torch.version.cuda, torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no cuda")')"
cmake -S "$HERE/native" -B "$WORK/native" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$PREFIX" > "$OUT/cmake.log" 2>&1 \
  || { tail -30 "$OUT/cmake.log"; exit 1; }
cmake --build "$WORK/native" -j"$(nproc)" >> "$OUT/cmake.log" 2>&1 || { tail -30 "$OUT/cmake.log"; exit 1; }
export DOTNET_ROOT="$WORK/dotnet" MNIST_CLAIMS_NATIVE="$WORK/native/libmnistclaims_native.so"
export MNIST_CLAIMS_DATA="$WORK/mnist" MNIST_CLAIMS_RUNS="$OUT/runs" OPENBLAS_NUM_THREADS=1
H=("$WORK/dotnet/dotnet" "$HERE/harness/harness.dll")
DEVICE="${DEVICE:-cuda}"
"${H[@]}" info --device "$DEVICE" | tee "$OUT/info.txt"
"${H[@]}" reproduce --device "$DEVICE" --out "$OUT" "$@" 2>&1 | tee "$OUT/reproduce.log"
if [ "${BENCH:-1}" = 1 ]; then
  "${H[@]}" bench --device "$DEVICE" --batches 2,64,256 --memory-steps 0 --python "$(command -v "$PY")" --reference "$HERE/tools/train_reference.py" --out "$OUT/bench.md" 2>&1 | tee "$OUT/bench.log"
fi
RUN
chmod +x "$OUT.tmp/run-gpu.sh"
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
size=$(du -sm "$OUT" | cut -f1)
echo "gpu-bundle: $OUT ($size MiB)"
[ "$size" -lt 64 ] || { echo "gpu-bundle: bundle is $size MiB, over the 64 MiB limit" >&2; exit 1; }

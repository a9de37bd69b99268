/* Flush-to-zero diagnosis of `harness bench` (issue 15). Loaded with LD_PRELOAD into ONE separate diagnostic bench
 * process, never into a real run: its constructor sets MXCSR's FTZ (bit 15) and DAZ (bit 6) bits, 0x8040, on the
 * process's main thread before the .NET runtime starts, and threads inherit MXCSR from the thread that creates them.
 * Subnormal operands then read as zero and subnormal results become zero: faster on CPUs that handle subnormals in
 * microcode, and different results, which is why it is only a measurement of what subnormal arithmetic costs.
 * The bench compiles it on first use: cc -O2 -shared -fPIC -o build/ftz/libftz.so tools/ftz/ftz.c */
#include <xmmintrin.h>

__attribute__((constructor)) static void mnist_claims_ftz_daz(void)
{
    _mm_setcsr(_mm_getcsr() | 0x8040u);
}

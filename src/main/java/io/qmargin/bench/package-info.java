/**
 * The benchmarks behind {@code qmargin bench}: the operator against plain bisection ({@link
 * io.qmargin.bench.OperatorBenchmark}, {@link io.qmargin.bench.PlainBisection}), the heads at up to
 * millions of classes ({@link io.qmargin.bench.HeadBenchmark}, with {@link
 * io.qmargin.bench.MemoryProbe}) and backbone training throughput ({@link
 * io.qmargin.bench.BackboneBenchmark}), timed by {@link io.qmargin.bench.Timing}. It may depend on
 * the library packages; only {@code cli} depends on it.
 */
package io.qmargin.bench;

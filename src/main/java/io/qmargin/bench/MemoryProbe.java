package io.qmargin.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Measures peak memory while a piece of code runs: the process's resident set (which includes the
 * engine's native memory) and the Java heap.
 *
 * <p>The resident set is sampled every 20 ms on a daemon thread; on Linux the kernel's own peak
 * (VmHWM in /proc/self/status, reset by writing 5 to /proc/self/clear_refs) is taken as well where
 * the reset is allowed, since it also sees peaks between samples. The heap peak is the JVM's own
 * (each heap pool's peak usage, reset when the probe starts). Sampling much more often takes CPU
 * from the code it measures on a machine with few cores (docs/benchmarks.md). Without /proc the
 * resident set is reported as −1.
 */
public final class MemoryProbe implements AutoCloseable {
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");
  private final Thread sampler;
  private final boolean kernelPeak;
  private volatile boolean running = true;
  private final long baselineRss;
  private volatile long peakRss;
  private long peakHeap = -1;

  public MemoryProbe() {
    System.gc();
    baselineRss = status("VmRSS:");
    peakRss = baselineRss;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
    kernelPeak = resetKernelPeak();
    sampler =
        new Thread(
            () -> {
              while (running) {
                peakRss = Math.max(peakRss, status("VmRSS:"));
                try {
                  Thread.sleep(20);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "memory-probe");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Peak resident set minus the resident set when the probe started. */
  public long peakNativeAndHeapGrowth() {
    return Math.max(0, peakRss - baselineRss);
  }

  /** Peak resident set while the probe ran, in bytes (−1 without /proc). */
  public long peakResidentBytes() {
    return peakRss;
  }

  /** Peak Java heap in use (the sum of the heap pools' peaks) while the probe ran. */
  public long peakHeapUsed() {
    return peakHeap;
  }

  @Override
  public void close() {
    if (!running) {
      return;
    }
    running = false;
    sampler.interrupt();
    try {
      sampler.join(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    peakRss = Math.max(peakRss, status(kernelPeak ? "VmHWM:" : "VmRSS:"));
    long heap = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heap += pool.getPeakUsage().getUsed();
      }
    }
    peakHeap = Math.max(peakHeap, heap);
  }

  /** Resets the kernel's peak resident set to the current one; false where that is not allowed. */
  private static boolean resetKernelPeak() {
    try {
      Files.writeString(CLEAR_REFS, "5", StandardCharsets.US_ASCII);
      return status("VmHWM:") >= 0;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** VmRSS of this process in bytes, or −1 where /proc is not available. */
  public static long residentBytes() {
    return status("VmRSS:");
  }

  /** A size field of /proc/self/status in bytes, or −1. */
  private static long status(String field) {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}

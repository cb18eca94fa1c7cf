package io.qmargin.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Measures peak memory while a piece of code runs, by sampling the process's resident set (which
 * includes the engine's native memory) and the Java heap every few milliseconds on a daemon thread.
 * Linux only for the resident set ({@code /proc/self/status}); elsewhere it reports −1.
 */
public final class MemoryProbe implements AutoCloseable {
  private final Thread sampler;
  private volatile boolean running = true;
  private final long baselineRss;
  private volatile long peakRss;
  private volatile long peakHeap;

  public MemoryProbe() {
    System.gc();
    baselineRss = residentBytes();
    peakRss = baselineRss;
    peakHeap = heapUsed();
    sampler = new Thread(() -> {
      while (running) {
        peakRss = Math.max(peakRss, residentBytes());
        peakHeap = Math.max(peakHeap, heapUsed());
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "memory-probe");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Peak resident set minus the resident set when the probe started. */
  public long peakNativeAndHeapGrowth() {
    return Math.max(0, peakRss - baselineRss);
  }

  public long peakHeapUsed() {
    return peakHeap;
  }

  @Override
  public void close() {
    running = false;
    try {
      sampler.join(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    peakRss = Math.max(peakRss, residentBytes());
  }

  static long heapUsed() {
    long used = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        used += pool.getUsage().getUsed();
      }
    }
    return used;
  }

  /** VmRSS of this process in bytes, or −1 where /proc is not available. */
  public static long residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}

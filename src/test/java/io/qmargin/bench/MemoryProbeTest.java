package io.qmargin.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peak that is over before the probe is read must still be reported. The memory is a fresh file
 * mapping, written and unmapped inside the probe: unlike malloc'ed memory, it cannot come from
 * pages the process already holds. (Growth over the probe's baseline is not checked: in a long test
 * run the JVM may give memory back meanwhile.)
 */
class MemoryProbeTest {
  @Test
  void reportsPeaksThatHaveAlreadyGone(@TempDir Path dir) throws Exception {
    long mb = 1 << 20;
    long size = 256 * mb;
    long resident;
    long peak;
    long heap;
    try (MemoryProbe probe = new MemoryProbe()) {
      try (FileChannel ch =
          FileChannel.open(
              dir.resolve("block"),
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE)) {
        MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
        for (int at = 0; at < size; at += 4096) {
          map.put(at, (byte) 1);
        }
        resident = MemoryProbe.residentBytes();
        assertThat(resident).as("resident while mapped").isPositive();
        Thread.sleep(100); // longer than the sampling period
        unmap(map);
        assertThat(MemoryProbe.residentBytes())
            .as("the mapping is gone")
            .isLessThan(resident - 200 * mb);
      }
      byte[] block = new byte[Math.toIntExact(128 * mb)];
      block[block.length - 1] = 1;
      assertThat(block[block.length - 1]).isEqualTo((byte) 1);
      probe.close();
      peak = probe.peakResidentBytes();
      heap = probe.peakHeapUsed();
    }
    assertThat(peak).as("peak resident set").isGreaterThanOrEqualTo(resident - 4 * mb);
    assertThat(heap).as("heap peak").isGreaterThan(128 * mb);
  }

  private static void unmap(MappedByteBuffer map) throws IOException, ReflectiveOperationException {
    Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
    f.setAccessible(true);
    ((sun.misc.Unsafe) f.get(null)).invokeCleaner(map);
  }
}

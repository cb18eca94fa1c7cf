package io.qmargin.train;

import io.qmargin.UserInputException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Ownership of a run directory by one process: an OS lock on {@code run.lock} held for the whole
 * run, so a second {@code train} on the same directory (in this JVM or any other process) is
 * refused instead of interleaving its logs and checkpoints with the first. The lock file holds the
 * holder's pid, host and start time, only so that the refusal can name it; the lock itself is the
 * kernel's and goes away with the process, however it ends.
 */
public final class RunLock implements AutoCloseable {
  /** Longest holder description echoed back (the file could hold anything). */
  private static final int MAX_HOLDER_CHARS = 200;

  private final FileChannel channel;
  private final FileLock lock;

  private RunLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock on {@code lockFile} (creating it and its folder), or refuses naming the holder.
   */
  public static RunLock acquire(Path lockFile) throws IOException {
    Files.createDirectories(lockFile.toAbsolutePath().getParent());
    FileChannel channel =
        FileChannel.open(
            lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException sameJvm) {
      lock = null;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new UserInputException(
          lockFile.toAbsolutePath().getParent()
              + " is in use by another training run ("
              + holder(lockFile)
              + "): wait for it to end, or choose another --out");
    }
    try {
      byte[] me = describeThisProcess().getBytes(StandardCharsets.UTF_8);
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(me), 0);
      channel.force(true);
    } catch (IOException e) {
      lock.release();
      channel.close();
      throw e;
    }
    return new RunLock(channel, lock);
  }

  private static String describeThisProcess() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "an unknown host";
    }
    return "pid "
        + ProcessHandle.current().pid()
        + " on "
        + host
        + ", started "
        + Instant.now().truncatedTo(ChronoUnit.SECONDS)
        + "\n";
  }

  /** What the lock file says about its holder: printable characters only, and not too many. */
  private static String holder(Path lockFile) {
    String text;
    try {
      text = Files.readString(lockFile, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "holder unknown: " + lockFile + " cannot be read";
    }
    if (text.isEmpty()) {
      return "holder not recorded yet";
    }
    text = text.replaceAll("\\p{Cntrl}", "?");
    return text.length() > MAX_HOLDER_CHARS ? text.substring(0, MAX_HOLDER_CHARS) + "..." : text;
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}

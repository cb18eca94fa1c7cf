package io.qmargin.serve;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A token bucket per key (an API key's name): each key may make {@code burst} requests at once and
 * {@code ratePerSecond} on average; a bucket refills continuously up to {@code burst}. Buckets that
 * have refilled completely are dropped now and then, since a new bucket is the same, so memory
 * follows the keys active in the last {@code burst / rate} seconds. Thread-safe.
 */
public final class RateLimiter {
  private static final long NANOS = 1_000_000_000L;

  /**
   * What {@link #tryAcquire} decided.
   *
   * @param retryAfter when refused, how long until a token is there; zero when allowed
   */
  public record Decision(boolean allowed, Duration retryAfter) {}

  private final double ratePerNano;
  private final double burst;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final AtomicLong calls = new AtomicLong();

  /** A limiter on {@link System#nanoTime()}. */
  public RateLimiter(double ratePerSecond, double burst) {
    this(ratePerSecond, burst, System::nanoTime);
  }

  /** A limiter on the given clock (nanoseconds, as {@link System#nanoTime()}), for tests. */
  public RateLimiter(double ratePerSecond, double burst, LongSupplier clock) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("rate must be a positive number, got " + ratePerSecond);
    }
    if (!(burst >= 1) || Double.isInfinite(burst)) {
      throw new IllegalArgumentException("burst must be at least 1, got " + burst);
    }
    this.ratePerNano = ratePerSecond / NANOS;
    this.burst = burst;
    this.clock = clock;
  }

  /** Takes a token from the key's bucket if there is one. */
  public Decision tryAcquire(String key) {
    long now = clock.getAsLong();
    if ((calls.incrementAndGet() & 1023) == 0) {
      dropFullBuckets(now);
    }
    while (true) {
      Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
      synchronized (b) {
        if (b.dropped) {
          continue; // dropped while we looked it up: take the new one
        }
        b.refill(now);
        if (b.tokens >= 1) {
          b.tokens -= 1;
          return new Decision(true, Duration.ZERO);
        }
        long wait = (long) Math.ceil((1 - b.tokens) / ratePerNano);
        return new Decision(false, Duration.ofNanos(wait));
      }
    }
  }

  /** Buckets held now. */
  int bucketCount() {
    return buckets.size();
  }

  private void dropFullBuckets(long now) {
    for (var e : buckets.entrySet()) {
      Bucket b = e.getValue();
      synchronized (b) {
        b.refill(now);
        if (b.tokens >= burst) {
          b.dropped = true;
          buckets.remove(e.getKey(), b);
        }
      }
    }
  }

  private final class Bucket {
    double tokens;
    long last;
    boolean dropped;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.last = now;
    }

    void refill(long now) {
      if (now > last) {
        tokens = Math.min(burst, tokens + (now - last) * ratePerNano);
        last = now;
      }
    }
  }
}

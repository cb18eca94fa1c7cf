package io.qmargin.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private void advanceMillis(long ms) {
    now.addAndGet(ms * 1_000_000L);
  }

  @Test
  void aBurstPassesThenTheRateHoldsAndEachKeyHasItsOwnBucket() {
    RateLimiter limiter = new RateLimiter(2, 3, now::get); // 2 per second, bursts of 3
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire("a").allowed()).isTrue();
    }
    RateLimiter.Decision refused = limiter.tryAcquire("a");
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(500));
    assertThat(limiter.tryAcquire("b").allowed()).isTrue();
    advanceMillis(499);
    assertThat(limiter.tryAcquire("a").allowed()).isFalse();
    advanceMillis(1);
    assertThat(limiter.tryAcquire("a").allowed()).isTrue();
    assertThat(limiter.tryAcquire("a").allowed()).isFalse();
    // a long pause refills to the burst, not beyond
    advanceMillis(60_000);
    int allowed = 0;
    for (int i = 0; i < 10; i++) {
      allowed += limiter.tryAcquire("a").allowed() ? 1 : 0;
    }
    assertThat(allowed).isEqualTo(3);
  }

  @Test
  void overTimeTheAllowedCountIsBurstPlusRateTimesTime() {
    RateLimiter limiter = new RateLimiter(10, 5, now::get);
    int allowed = 0;
    // 20 attempts per second for 10 seconds: 5 + 10 * 10 may pass
    for (int i = 0; i < 200; i++) {
      allowed += limiter.tryAcquire("k").allowed() ? 1 : 0;
      advanceMillis(50);
    }
    assertThat(allowed).isEqualTo(5 + 100 - 1); // the last 50 ms refill comes after the loop
  }

  @Test
  void refilledBucketsAreDroppedAndDrainedOnesKept() {
    RateLimiter limiter = new RateLimiter(1, 2, now::get);
    limiter.tryAcquire("busy");
    limiter.tryAcquire("busy");
    for (int i = 0; i < 1000; i++) {
      limiter.tryAcquire("once-" + i);
    }
    assertThat(limiter.bucketCount()).isEqualTo(1001);
    advanceMillis(1500); // the one-off keys are full again, "busy" has 1.5 of 2 tokens
    for (int i = 0; i < 30; i++) {
      limiter.tryAcquire("other"); // the 1024th call sweeps
    }
    assertThat(limiter.bucketCount()).isEqualTo(2);
    assertThat(limiter.tryAcquire("busy").allowed()).isTrue();
    assertThat(limiter.tryAcquire("busy").allowed()).isFalse();
  }

  @Test
  void concurrentCallersNeverGetMoreThanTheBurst() throws Exception {
    RateLimiter limiter = new RateLimiter(1, 50, now::get); // the clock stands still
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> counts = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        counts.add(
            pool.submit(
                () -> {
                  int n = 0;
                  for (int i = 0; i < 2000; i++) {
                    n += limiter.tryAcquire("shared").allowed() ? 1 : 0;
                  }
                  return n;
                }));
      }
      int total = 0;
      for (Future<Integer> f : counts) {
        total += f.get();
      }
      assertThat(total).isEqualTo(50);
    } finally {
      pool.shutdown();
    }
  }
}

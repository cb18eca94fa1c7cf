package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Runs {@code bench fbank} on ten minutes of synthetic audio; excluded from the default test run.
 */
@Tag("benchmark")
class FbankBenchmarkTest {
  @Test
  void extractsFeaturesMuchFasterThanRealTime() {
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(new FbankBenchmarkCommand());
    cl.setOut(new PrintWriter(out, true));

    assertThat(cl.execute("--seconds", "600")).isEqualTo(0);

    Matcher m = Pattern.compile("= (\\d+) s of audio per s").matcher(out.toString());
    assertThat(m.find()).as(out.toString()).isTrue();
    assertThat(Integer.parseInt(m.group(1))).isGreaterThan(100);
  }
}

package io.qmargin.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.qmargin.eval.compare.Spread;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The validation figures of one recipe trained over several seeds, per protocol: EER, TAR at each
 * FAR (where the protocol's impostors resolve it) and minDCF(0.01), each as a {@link Spread} over
 * seeds, read from the runs' {@code results.json}.
 *
 * @param seeds the seeds
 * @param protocols per protocol, figure name to spread, in results.json order
 */
public record SeedSummary(long[] seeds, Map<String, Map<String, Spread>> protocols) {

  /** Reads every run's results.json; the runs must have validated the same protocols. */
  public static SeedSummary read(long[] seeds, List<Path> runDirs) throws IOException {
    List<JsonNode> results = new ArrayList<>();
    for (Path d : runDirs) {
      results.add(RunDirectory.readJsonObject(new RunDirectory(d).results()).path("validation"));
    }
    Map<String, Map<String, Spread>> protocols = new LinkedHashMap<>();
    JsonNode first = results.get(0);
    for (int p = 0; p < first.size(); p++) {
      Map<String, double[]> values = new LinkedHashMap<>();
      for (int k = 0; k < results.size(); k++) {
        JsonNode v = results.get(k).get(p);
        if (v == null || !v.path("protocol").equals(first.get(p).path("protocol"))) {
          throw new IllegalStateException(runDirs.get(k) + " validated other protocols");
        }
        long nontargets = v.path("nontargets").asLong();
        put(values, "EER", k, results.size(), v.path("eer").asDouble());
        var tars = v.path("tar_at_far").fields();
        while (tars.hasNext()) {
          var e = tars.next();
          double far = Double.parseDouble(e.getKey());
          // a FAR below 1 / impostors is not a figure (see ValidationResult#resolves)
          double tar = far * nontargets >= 1 ? e.getValue().asDouble() : Double.NaN;
          put(values, "TAR@FAR=" + e.getKey(), k, results.size(), tar);
        }
        put(values, "minDCF(0.01)", k, results.size(), v.path("min_dcf_0.01").asDouble());
      }
      Map<String, Spread> spreads = new LinkedHashMap<>();
      values.forEach((name, x) -> spreads.put(name, Spread.of(x)));
      protocols.put(first.get(p).path("protocol").asText(), spreads);
    }
    return new SeedSummary(seeds, protocols);
  }

  private static void put(Map<String, double[]> values, String name, int k, int n, double v) {
    values.computeIfAbsent(name, x -> new double[n])[k] = v;
  }

  /** One line per protocol: each figure as mean ± sd [min – max] (rates in percent). */
  public String text() {
    StringBuilder sb =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "over %d seeds (%s): mean ± sd [min – max]%n",
                seeds.length,
                String.join(
                    ", ", java.util.Arrays.stream(seeds).mapToObj(Long::toString).toList())));
    protocols.forEach(
        (protocol, figures) -> {
          List<String> parts = new ArrayList<>();
          figures.forEach(
              (name, s) -> {
                boolean rate = !name.startsWith("minDCF");
                double scale = rate ? 100 : 1;
                String f = rate ? "%.2f" : "%.4f";
                parts.add(
                    Double.isNaN(s.mean())
                        ? name + " n/a"
                        : String.format(
                            Locale.ROOT,
                            "%s " + f + "%s ± " + f + " [" + f + " – " + f + "]",
                            name,
                            scale * s.mean(),
                            rate ? "%" : "",
                            scale * s.sd(),
                            scale * s.min(),
                            scale * s.max()));
              });
          sb.append(protocol).append(": ").append(String.join(", ", parts)).append('\n');
        });
    return sb.toString();
  }

  /** The summary's results.json: seeds, and per protocol each figure's mean, sd, min and max. */
  public Map<String, Object> json(List<Path> runDirs) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("seeds", seeds);
    out.put("runs", runDirs.stream().map(Path::toString).toList());
    List<Map<String, Object>> list = new ArrayList<>();
    protocols.forEach(
        (protocol, figures) -> {
          Map<String, Object> p = new LinkedHashMap<>();
          p.put("protocol", protocol);
          figures.forEach(
              (name, s) -> {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("mean", nan(s.mean()));
                f.put("sd", nan(s.sd()));
                f.put("min", nan(s.min()));
                f.put("max", nan(s.max()));
                p.put(name, f);
              });
          list.add(p);
        });
    out.put("validation", list);
    return out;
  }

  private static Double nan(double v) {
    return Double.isNaN(v) ? null : v;
  }
}

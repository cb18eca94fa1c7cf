package io.qmargin.cli;

import io.qmargin.data.face.LfwFolder;
import io.qmargin.data.fetch.LfwFetch;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code qmargin data}: dataset management; {@code data fetch lfw} downloads LFW deep-funneled. */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = "Datasets: download LFW (data fetch lfw).",
    subcommands = {DataCommand.Fetch.class})
public final class DataCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "fetch",
      mixinStandardHelpOptions = true,
      description =
          "Download a dataset with checksum verification. Only 'lfw' exists (deep-funneled 250x250 JPEGs and"
              + " the protocol files pairs*.txt and people*.txt). The result goes to DEST/lfw; point --data or "
              + LfwFolder.ENV
              + " at DEST to use it.")
  static final class Fetch implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DATASET", description = "lfw")
    String dataset;

    @Option(
        names = "--url",
        paramLabel = "URL",
        description =
            "Tarball location (default: ${DEFAULT-VALUE}; it may move). Any URL other than the default needs --sha256.")
    URI url = LfwFetch.DEFAULT_TARBALL;

    @Option(
        names = "--sha256",
        paramLabel = "HEX",
        description =
            "Expected SHA-256 of the tarball (default URL: checked against its pinned MD5 instead).")
    String sha256;

    @Option(
        names = {"--protocol-url", "--pairs-url"},
        paramLabel = "URL",
        description =
            "Folder URL of the protocol files pairs.txt, pairsDevTrain.txt, pairsDevTest.txt, people.txt, peopleDevTrain.txt, peopleDevTest.txt (default: ${DEFAULT-VALUE}); checked against pinned SHA-256s.")
    URI pairsUrl = LfwFetch.DEFAULT_PROTOCOL_BASE;

    @Option(
        names = {"--no-protocol-files", "--no-pairs"},
        description =
            "Download only the images, not the pairs and people files (training on LFW people and validating on LFW pairs need them).")
    boolean noPairs;

    @Option(
        names = "--dest",
        paramLabel = "DIR",
        description = "Folder that receives lfw/ (default: $" + LfwFolder.ENV + ", else ./data).")
    Path dest;

    @Override
    public Integer call() throws Exception {
      if (!dataset.equals("lfw")) {
        throw new io.qmargin.UserInputException("unknown dataset '" + dataset + "' (known: lfw)");
      }
      Path into = dest;
      if (into == null) {
        String env = System.getenv(LfwFolder.ENV);
        into = env == null || env.isBlank() ? Path.of("data") : Path.of(env);
      }
      LfwFetch.Request request = new LfwFetch.Request(url, sha256, noPairs ? null : pairsUrl, into);
      var out = spec.commandLine().getOut();
      Path lfw;
      try (ConsoleProgress progress = new ConsoleProgress(1 << 20)) {
        lfw = LfwFetch.fetch(request, progress, out::println);
      }
      out.println(
          "LFW is in " + lfw + " (use --data " + into + " or " + LfwFolder.ENV + "=" + into + ")");
      return 0;
    }
  }
}

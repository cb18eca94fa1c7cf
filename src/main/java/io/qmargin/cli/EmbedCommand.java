package io.qmargin.cli;

import ai.djl.ndarray.NDManager;
import io.qmargin.Progress;
import io.qmargin.UserInputException;
import io.qmargin.data.UnreadableSampleException;
import io.qmargin.data.face.CorruptImageException;
import io.qmargin.data.face.ImageDecoder;
import io.qmargin.data.face.ImageFolderDataset;
import io.qmargin.data.face.Preprocessing;
import io.qmargin.data.speech.KaldiDataDir;
import io.qmargin.data.speech.SpeakerFolders;
import io.qmargin.data.speech.SpeechCorpus;
import io.qmargin.data.speech.SpeechSampleSet;
import io.qmargin.data.speech.Utterance;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.KaldiArk;
import io.qmargin.io.Npy;
import io.qmargin.train.Embedder;
import io.qmargin.train.FaceData;
import io.qmargin.train.Models;
import io.qmargin.train.SpeechData;
import io.qmargin.train.TrainConfig;
import io.qmargin.train.TrainedModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code qmargin embed}: embeddings of images with a trained model, for the evaluation commands.
 */
@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    description = {
      "Embed images with a trained model; writes E.npy (n, d), L2-normalised, and the keys file.",
      "",
      "--images takes a folder (every image below it, keys = paths relative to it, e.g.",
      "Aaron_Peirsol/Aaron_Peirsol_0001.jpg) or a list file (one path per line, relative to the",
      "list's folder or absolute; keys = the paths as written). Images get the model's own",
      "preprocessing (crop, resize, [-1, 1]). Unreadable images, unreadable audio and utterances",
      "too short for the model are reported by name, left out and counted.",
      "--ark/--scp also write the embeddings as a Kaldi binary archive and index (kaldiio, copy-vector).",
      "Then e.g.: qmargin eval lfw --pairs pairs.txt --embeddings E.npy --keys K.txt --out DIR"
    })
final class EmbedCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "PATH",
      description =
          "A finished run directory (or its model/ folder, or a model directory written by qmargin"
              + " import), or a PyTorch state dict of insightface or wespeaker (.pth/.pt), embedded"
              + " with its source's preprocessing.")
  Path model;

  @Option(
      names = "--arch",
      paramLabel = "ARCH",
      description =
          "With a state dict whose names do not tell its architecture: iresnet18/34/50/100 (r18,"
              + " r34, r50, r100), mobilefacenet (mbf), resnet18, resnet34, ecapa512, ecapa1024.")
  String arch;

  @Option(
      names = "--images",
      paramLabel = "DIR|LIST",
      description = "Image folder or list file (face models).")
  Path images;

  @Option(
      names = "--audio",
      paramLabel = "DIR|wav.scp",
      description =
          "Speaker models: a folder (every wav/flac/ogg below it; keys = relative paths, as VoxCeleb trial lists name utterances) or a Kaldi wav.scp (keys = utterance ids). Whole utterances, the model's features.")
  Path audio;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "E.npy",
      description = "Embeddings (float32, n x d).")
  Path out;

  @Option(
      names = "--keys",
      required = true,
      paramLabel = "K.txt",
      description = "One key per embedding row.")
  Path keys;

  @Option(
      names = "--ark",
      paramLabel = "E.ark",
      description = "Also write the embeddings as a Kaldi binary archive of float vectors.")
  Path ark;

  @Option(
      names = "--scp",
      paramLabel = "E.scp",
      description = "With --ark: its Kaldi index, 'key E.ark:offset' per line.")
  Path scp;

  @Option(
      names = "--flip",
      description = "Add the embedding of the mirrored image (insightface's flip test).")
  boolean flip;

  @Option(
      names = "--batch",
      defaultValue = "64",
      description = "Images per forward pass; default ${DEFAULT-VALUE}.")
  int batch;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    if ((images == null) == (audio == null)) {
      throw new UserInputException("give exactly one of --images and --audio");
    }
    if (batch < 1) {
      throw new UserInputException("--batch must be at least 1, got " + batch);
    }
    if (scp != null && ark == null) {
      throw new UserInputException("--scp indexes the archive of --ark: give --ark too");
    }
    checkDistinctFiles();
    if (audio != null) {
      return embedAudio(err);
    }
    List<String> keyList = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    listImages(images, keyList, files);
    if (files.isEmpty()) {
      throw new UserInputException(images + ": no images found");
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      TrainedModel m = Models.load(model, arch, manager);
      if (m.sampleShape().length != 3) {
        throw new UserInputException(
            model + " is a " + m.config().task() + " model; embed images with a face model");
      }
      // validation's preprocessing of the model's training data: the same crop and size as training
      // saw
      Preprocessing pre =
          FaceData.preprocessing(m.config().data(), m.config().seed()).deterministic();
      // decode first, so that unreadable files are left out before the rows are numbered
      List<float[]> decoded = new ArrayList<>();
      List<String> kept = new ArrayList<>();
      int bad = 0;
      for (int i = 0; i < files.size(); i++) {
        try {
          decoded.add(pre.apply(ImageDecoder.decode(files.get(i)), false));
          kept.add(keyList.get(i));
        } catch (CorruptImageException | UserInputException e) {
          bad++;
          err.println("skipped " + e.getMessage());
        }
      }
      if (decoded.isEmpty()) {
        throw new UserInputException(
            images + ": none of the " + files.size() + " images could be read");
      }
      Embedder embedder = new Embedder(m.backbone(), manager, m.sampleShape(), batch);
      float[] e;
      try (Progress p =
          new ConsoleProgress(256)
              .start("embedding " + decoded.size() + " images into " + out, decoded.size())) {
        e = embedder.embed(decoded.size(), decoded::get, flip, p);
      }
      write(e, kept, bad);
    }
    return 0;
  }

  private Integer embedAudio(PrintWriter err) throws IOException {
    // training's readers: a wav.scp as KaldiDataDir reads it (ids once each, no pipes, files
    // present)
    List<Utterance> utts;
    if (Files.isDirectory(audio)) {
      utts = SpeakerFolders.unlabelled(audio);
    } else if (Files.isRegularFile(audio)) {
      utts = KaldiDataDir.readWavScp(audio, audio.toAbsolutePath().getParent());
    } else {
      throw new UserInputException(audio + ": no such folder or wav.scp file");
    }
    if (utts.isEmpty()) {
      throw new UserInputException(audio + ": no audio files found");
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      TrainedModel m = Models.load(model, arch, manager);
      if (m.config().task() != TrainConfig.Task.SPEAKER) {
        throw new UserInputException(
            model + " is a " + m.config().task() + " model; embed audio with a speaker model");
      }
      var set =
          new SpeechSampleSet(
              SpeechCorpus.of(utts, audio.toString()), SpeechData.options(m.config(), false));
      Embedder embedder = new Embedder(m.backbone(), manager, m.sampleShape(), 1);
      long featureDim = m.sampleShape()[m.sampleShape().length - 1];
      int minFrames = embedder.minimumFrames(featureDim, MAX_PROBED_FRAMES);
      List<Embedder.Sample> feats = new ArrayList<>();
      List<String> kept = new ArrayList<>();
      for (int i = 0; i < utts.size(); i++) {
        try {
          var f = set.features(i);
          if (f.numFrames() < minFrames) {
            err.println(
                "skipped "
                    + set.source(i)
                    + ": too short for the model: "
                    + f.numFrames()
                    + " frame(s), it needs at least "
                    + minFrames);
            continue;
          }
          feats.add(new Embedder.Sample(f.values(), new long[] {f.numFrames(), f.dim()}));
          kept.add(utts.get(i).id());
        } catch (UnreadableSampleException e) {
          err.println("skipped " + e.getMessage());
        }
      }
      if (feats.isEmpty()) {
        throw new UserInputException(
            audio + ": none of the " + utts.size() + " files could be embedded");
      }
      float[] e;
      try (Progress p =
          new ConsoleProgress(256)
              .start("embedding " + feats.size() + " utterances into " + out, feats.size())) {
        e = embedder.embedEach(feats.size(), feats::get, p);
      }
      write(e, kept, utts.size() - kept.size());
    }
    return 0;
  }

  /** Longest utterance, in frames, tried when finding the shortest one the model embeds. */
  private static final int MAX_PROBED_FRAMES = 4096;

  private void write(float[] e, List<String> kept, int bad) throws IOException {
    int dim = e.length / kept.size();
    try (AtomicFiles.OutputSet set = AtomicFiles.outputSet()) { // every file or none
      Npy.writeFloat32(set.file(out), e, kept.size(), dim);
      AtomicFiles.writeString(set.file(keys), String.join("\n", kept) + "\n");
      if (ark != null) {
        KaldiArk.writeVectors(ark, set.file(ark), scp == null ? null : set.file(scp), kept, e, dim);
      }
      set.commit();
    }
    PrintWriter o = spec.commandLine().getOut();
    o.printf(
        Locale.ROOT,
        "%d embeddings of dimension %d -> %s, keys -> %s%s%s%n",
        kept.size(),
        dim,
        out,
        keys,
        ark == null
            ? ""
            : ", Kaldi archive -> " + ark + (scp == null ? "" : " (index " + scp + ")"),
        bad > 0 ? " (" + bad + " inputs skipped)" : "");
    o.flush();
  }

  /**
   * Refuses two outputs, or an output and the input list, that name one file: the later write would
   * silently replace the earlier (e.g. {@code --out X --keys X} used to leave only the keys).
   */
  private void checkDistinctFiles() throws IOException {
    List<Map.Entry<String, Path>> named = new ArrayList<>();
    named.add(Map.entry("--out", out));
    named.add(Map.entry("--keys", keys));
    if (ark != null) {
      named.add(Map.entry("--ark", ark));
    }
    if (scp != null) {
      named.add(Map.entry("--scp", scp));
    }
    Path input = images != null ? images : audio;
    if (Files.isRegularFile(input)) {
      named.add(Map.entry(images != null ? "--images" : "--audio", input));
    }
    for (int i = 0; i < named.size(); i++) {
      for (int j = i + 1; j < named.size(); j++) {
        Path a = named.get(i).getValue();
        Path b = named.get(j).getValue();
        boolean same =
            a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())
                || (Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b));
        if (same) {
          throw new UserInputException(
              named.get(i).getKey()
                  + " and "
                  + named.get(j).getKey()
                  + " name the same file "
                  + b
                  + "; give each its own path");
        }
      }
    }
  }

  static void listImages(Path source, List<String> keys, List<Path> files) throws IOException {
    if (Files.isDirectory(source)) {
      for (Path p :
          ImageFolderDataset.imagesBelow(source)) { // the images training would take from a folder
        keys.add(source.relativize(p).toString().replace('\\', '/'));
        files.add(p);
      }
    } else if (Files.isRegularFile(source)) {
      List<String> lines = Files.readAllLines(source);
      Path base = source.toAbsolutePath().getParent();
      for (int n = 0; n < lines.size(); n++) {
        String line = lines.get(n).trim();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        Path p = base.resolve(line);
        if (!Files.isRegularFile(p)) {
          throw new UserInputException(source + ":" + (n + 1) + ": no such image " + p);
        }
        keys.add(line);
        files.add(p);
      }
    } else {
      throw new UserInputException(source + ": no such folder or list file");
    }
  }
}

package io.qmargin.train;

import io.qmargin.UserInputException;
import io.qmargin.data.SampleSet;
import io.qmargin.data.face.FaceSampleSet;
import io.qmargin.data.face.ImageFolderDataset;
import io.qmargin.data.face.LfwFolder;
import io.qmargin.data.face.Preprocessing;
import io.qmargin.data.face.RecordIoDataset;
import io.qmargin.data.face.SyntheticFaces;
import io.qmargin.data.face.ValidationBin;
import io.qmargin.eval.protocol.LfwPairs;
import io.qmargin.train.TrainConfig.DataType;
import io.qmargin.train.TrainConfig.ValidationType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The face training set and validation protocols a configuration names.
 *
 * <ul>
 *   <li>{@code synthetic}: {@link SyntheticFaces}, validated on all pairs of held-out identities
 *       (identities after the training ones);
 *   <li>{@code folder}: {@code root/<identity>/<image>};
 *   <li>{@code recordio}: insightface's {@code train.rec} + {@code train.idx} (a folder or the
 *       .rec);
 *   <li>{@code lfw}: the LFW people of {@code data.people_file} (e.g. peopleDevTrain.txt),
 *       validated on a pairs file (pairsDevTest.txt) and on all pairs among the images of another
 *       people file (peopleDevTest.txt). {@code data.path} or {@code QMARGIN_DATA} locates LFW.
 * </ul>
 */
public final class FaceData {
  private FaceData() {}

  public static SampleSet trainingSet(TrainConfig.Data d, long seed, Map<String, String> env) {
    Preprocessing pre = preprocessing(d, seed);
    return switch (d.type()) {
      case SYNTHETIC -> faces(new SyntheticFaces(d.identities(), d.samplesPerIdentity(), pre), d);
      case FOLDER -> faces(ImageFolderDataset.open(requirePath(d), pre), d);
      case RECORDIO -> faces(RecordIoDataset.open(requirePath(d), pre), d);
      case LFW ->
          faces(
              lfw(d, env)
                  .people(d.peopleFile() == null ? "peopleDevTrain.txt" : d.peopleFile(), pre),
              d);
      default ->
          throw new IllegalArgumentException(
              "not face data: " + d.type()); // refused by TrainingTasks.create
    };
  }

  public static List<Validator> validators(TrainConfig config, Map<String, String> env) {
    TrainConfig.Validation v = config.validation();
    TrainConfig.Data d = config.data();
    ValidationType type = v.type();
    if (type == ValidationType.AUTO) {
      type =
          switch (d.type()) {
            case SYNTHETIC -> ValidationType.SYNTHETIC;
            case LFW -> ValidationType.LFW;
            default -> ValidationType.NONE;
          };
    }
    Preprocessing pre = preprocessing(d, config.seed()).deterministic();
    List<Validator> out = new ArrayList<>();
    switch (type) {
      case NONE -> {}
      case SYNTHETIC -> {
        SyntheticFaces held =
            new SyntheticFaces(
                d.type() == DataType.SYNTHETIC ? d.identities() : 0,
                v.identities(),
                v.samplesPerIdentity(),
                pre);
        int[] labels = labels(held);
        out.add(
            AllPairsValidator.ofImages(
                String.format(
                    Locale.ROOT,
                    "held-out synthetic identities (%d x %d images, all pairs)",
                    v.identities(),
                    v.samplesPerIdentity()),
                i -> held.load(i, 0).chw(),
                labels,
                v.flip(),
                v.far()));
      }
      case LFW -> {
        LfwFolder lfw = lfw(d, env);
        LfwPairs pairs = lfw.pairs(v.path() == null ? "pairsDevTest.txt" : v.path());
        List<String> missing = lfw.missingImages(pairs);
        if (!missing.isEmpty()) {
          throw new UserInputException(
              pairs.file()
                  + ": "
                  + missing.size()
                  + " images missing from "
                  + lfw.images()
                  + ", e.g. "
                  + missing.get(0));
        }
        out.add(pairValidator("LFW " + pairs.file().getFileName(), pairs, lfw, pre, v));
        ImageFolderDataset people =
            lfw.people(v.peopleFile() == null ? "peopleDevTest.txt" : v.peopleFile(), pre);
        int[] labels = labels(people);
        out.add(
            AllPairsValidator.ofImages(
                String.format(
                    Locale.ROOT,
                    "LFW %s (%d people, %d images, all pairs)",
                    v.peopleFile() == null ? "peopleDevTest.txt" : v.peopleFile(),
                    people.numClasses(),
                    people.size()),
                i -> people.load(i, 0).chw(),
                labels,
                v.flip(),
                v.far()));
      }
      case BIN -> {
        if (v.path() == null) {
          throw new UserInputException(
              "validation.type bin needs validation.path naming an insightface .bin file");
        }
        ValidationBin bin = ValidationBin.read(Path.of(v.path()));
        int n = bin.pairs();
        int[] first = new int[n];
        int[] second = new int[n];
        int[] fold = new int[n];
        for (int i = 0; i < n; i++) {
          first[i] = 2 * i;
          second[i] = 2 * i + 1;
          fold[i] = (int) ((long) i * 10 / n);
        }
        Preprocessing binPre = Preprocessing.insightface().deterministic();
        out.add(
            new PairListValidator(
                bin.name() + " (" + n + " pairs)",
                2 * n,
                i -> bin.load(i, binPre, false).chw(),
                first,
                second,
                bin.issame(),
                fold,
                10,
                v.flip(),
                v.far(),
                List.of()));
      }
      default -> throw new IllegalStateException(type + " was resolved above");
    }
    return out;
  }

  private static PairListValidator pairValidator(
      String name, LfwPairs pairs, LfwFolder lfw, Preprocessing pre, TrainConfig.Validation v) {
    Map<String, Integer> index = new HashMap<>();
    List<String> ids = new ArrayList<>();
    int n = pairs.size();
    int[] first = new int[n];
    int[] second = new int[n];
    for (int i = 0; i < n; i++) {
      first[i] =
          index.computeIfAbsent(
              pairs.first()[i],
              k -> {
                ids.add(k);
                return ids.size() - 1;
              });
      second[i] =
          index.computeIfAbsent(
              pairs.second()[i],
              k -> {
                ids.add(k);
                return ids.size() - 1;
              });
    }
    return new PairListValidator(
        String.format(Locale.ROOT, "%s (%d pairs)", name, n),
        ids.size(),
        i -> lfw.load(ids.get(i), pre, false).chw(),
        first,
        second,
        pairs.isTarget(),
        pairs.accuracyFold(),
        pairs.accuracyFolds(),
        v.flip(),
        v.far(),
        ids.stream().map(LfwPairs::identity).toList());
  }

  private static int[] labels(io.qmargin.data.face.FaceDataset set) {
    int[] labels = new int[set.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = set.label(i);
    }
    return labels;
  }

  /**
   * The preprocessing of the training images of {@code d}: its crop (by default, LFW
   * deep-funneled's), resized to {@code d.image_size}, flipped with probability {@code d.flip}.
   * Validation and {@code embed} use its {@link Preprocessing#deterministic} form, so a model sees
   * the same crop everywhere.
   */
  public static Preprocessing preprocessing(TrainConfig.Data d, long seed) {
    int crop =
        d.crop() != null
            ? d.crop()
            : d.type() == DataType.LFW ? Preprocessing.LFW_DEEP_FUNNELED_CROP : 0;
    return new Preprocessing(crop, d.imageSize(), d.imageSize(), d.flip(), seed);
  }

  private static SampleSet faces(io.qmargin.data.face.FaceDataset set, TrainConfig.Data d) {
    return new FaceSampleSet(set, d.imageSize(), d.imageSize());
  }

  private static Path requirePath(TrainConfig.Data d) {
    if (d.path() == null) {
      throw new UserInputException("data.type " + d.type() + " needs data.path");
    }
    return Path.of(d.path());
  }

  private static LfwFolder lfw(TrainConfig.Data d, Map<String, String> env) {
    return LfwFolder.locate(d.path() == null ? null : Path.of(d.path()), env)
        .orElseThrow(
            () ->
                new UserInputException(
                    "data.type lfw: give data.path (the LFW folder) or set "
                        + LfwFolder.ENV
                        + " to a folder holding lfw/"));
  }
}

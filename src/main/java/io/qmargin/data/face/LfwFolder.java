package io.qmargin.data.face;

import io.qmargin.UserInputException;
import io.qmargin.data.fetch.LfwFetch;
import io.qmargin.eval.protocol.LfwPairs;
import io.qmargin.io.FileErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A Labeled Faces in the Wild folder: {@code root} holds the protocol files (pairs.txt,
 * pairsDevTrain.txt, pairsDevTest.txt, people*.txt) and {@code images} the folder per person
 * ({@code lfw-deepfunneled/<Name>/<Name>_0001.jpg}; lfw_funneled/ or the identity folders directly
 * are accepted too). Found from {@code --data DIR} (the LFW folder, or a folder holding {@code
 * lfw/}) or else from the environment variable {@value #ENV} naming a folder that holds {@code
 * lfw/}.
 */
public record LfwFolder(Path root, Path images) {
  /** Environment variable naming the data folder that holds {@code lfw/}. */
  public static final String ENV = "QMARGIN_DATA";

  private static final List<String> IMAGE_FOLDERS =
      List.of("lfw-deepfunneled", "lfw_funneled", "lfw-funneled");

  /**
   * The LFW folder named by {@code dataOption} if not null, else by {@value #ENV} in {@code env};
   * empty when neither is set (the caller then falls back to synthetic data). A set but wrong
   * location is an error, never a silent fallback.
   */
  public static Optional<LfwFolder> locate(Path dataOption, Map<String, String> env) {
    if (dataOption != null) {
      return Optional.of(open(dataOption));
    }
    String value = env.get(ENV);
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    Path lfw = Path.of(value).resolve("lfw");
    if (!Files.isDirectory(lfw)) {
      throw new UserInputException(
          ENV
              + "="
              + value
              + ": no folder lfw/ in it (get LFW with 'qmargin data fetch lfw --dest "
              + value
              + "')");
    }
    return Optional.of(open(lfw));
  }

  /** The LFW folder {@code dir}, or {@code dir/lfw}. */
  public static LfwFolder open(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new UserInputException(dir + ": LFW folder does not exist");
    }
    for (String name : IMAGE_FOLDERS) {
      if (Files.isDirectory(dir.resolve(name))) {
        return new LfwFolder(dir, dir.resolve(name));
      }
    }
    if (Files.isDirectory(dir.resolve("lfw"))) {
      return open(dir.resolve("lfw"));
    }
    try (Stream<Path> s = Files.list(dir)) {
      if (s.anyMatch(p -> Files.isDirectory(p) && !p.getFileName().toString().startsWith("."))) {
        return new LfwFolder(dir, dir);
      }
    } catch (IOException e) {
      throw new UserInputException(dir + ": cannot list the folder (" + e.getMessage() + ")", e);
    }
    throw new UserInputException(
        dir + ": no LFW images (expected lfw-deepfunneled/<Name>/<Name>_0001.jpg)");
  }

  /** A protocol file of this folder, e.g. "pairs.txt"; an error names the folder when missing. */
  public Path protocolFile(String name) {
    Path f = root.resolve(name);
    if (!Files.isRegularFile(f)) {
      String how =
          LfwFetch.PROTOCOL_SHA256.containsKey(name)
              ? "it comes with LFW; 'qmargin data fetch lfw' downloads it"
              : "not one of the files that come with LFW: "
                  + String.join(", ", LfwFetch.PROTOCOL_SHA256.keySet());
      throw new UserInputException(f + ": LFW protocol file missing (" + how + ")");
    }
    return f;
  }

  /** The pairs of {@code pairs.txt} (View 2) or another pairs file of this folder. */
  public LfwPairs pairs(String fileName) {
    return LfwPairs.read(protocolFile(fileName));
  }

  /** The image file of an LFW id such as {@code Aaron_Peirsol_0001}. */
  public Path image(String id) {
    return images.resolve(LfwPairs.identity(id)).resolve(id + ".jpg");
  }

  /** The preprocessed image of an LFW id, without random augmentation. */
  public FaceImage load(String id, Preprocessing preprocessing, boolean flip) {
    Path file = image(id);
    return new FaceImage(
        preprocessing.apply(ImageDecoder.decode(file), flip),
        preprocessing.outputHeight(),
        preprocessing.outputWidth(),
        -1,
        file.toString());
  }

  /** Every pair image that is missing from the images folder (empty when the set is complete). */
  public List<String> missingImages(LfwPairs pairs) {
    Set<String> ids = new LinkedHashSet<>();
    for (int i = 0; i < pairs.size(); i++) {
      ids.add(pairs.first()[i]);
      ids.add(pairs.second()[i]);
    }
    List<String> missing = new ArrayList<>();
    for (String id : ids) {
      if (!Files.isRegularFile(image(id))) {
        missing.add(id);
      }
    }
    return missing;
  }

  /** All people as a training set (label order = folder name order). */
  public ImageFolderDataset allPeople(Preprocessing preprocessing) {
    return ImageFolderDataset.open(images, preprocessing);
  }

  /**
   * The people of a people file (e.g. peopleDevTrain.txt) as a training set, labelled in file
   * order.
   */
  public ImageFolderDataset people(String peopleFile, Preprocessing preprocessing) {
    return ImageFolderDataset.open(images, readPeople(protocolFile(peopleFile)), preprocessing);
  }

  /**
   * The names of an LFW people file: a count line, then {@code name<TAB>images} lines
   * (peopleDev*.txt), or a number of folds followed by that many such blocks (people.txt).
   */
  public static List<String> readPeople(Path file) {
    List<String> lines = FileErrors.readLines(file);
    Set<String> names = new LinkedHashSet<>();
    for (int n = 0; n < lines.size(); n++) {
      String[] f = lines.get(n).trim().split("\\s+");
      if (f.length == 1 && (f[0].isEmpty() || f[0].chars().allMatch(Character::isDigit))) {
        continue; // a count line or a blank line
      }
      if (f.length != 2 || !f[1].chars().allMatch(Character::isDigit)) {
        throw new UserInputException(
            file + ":" + (n + 1) + ": expected 'name<TAB>number of images'");
      }
      names.add(f[0]);
    }
    if (names.isEmpty()) {
      throw new UserInputException(file + ": no people listed");
    }
    return List.copyOf(names);
  }
}

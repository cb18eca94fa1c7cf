package io.qmargin.data.face;

import io.qmargin.UserInputException;
import io.qmargin.data.DataFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Images in one folder per identity: {@code root/<identity>/<image>}. Identities are the
 * sub-folders in name order (label 0 is the first); images are the files of each folder in name
 * order whose extension is .jpg, .jpeg, .png, .gif, .bmp, .pgm, .ppm or .pnm, or, for any other
 * name (the Yale faces have none), whose first bytes are those of such an image. Hidden entries (a
 * leading dot) are ignored. An identity folder without images is an error, so a typo in a people
 * list or a half-copied dataset is found before training starts; an image that fails to decode is
 * found when it is loaded (see {@link FaceDataset#loadOrSkip}).
 */
public final class ImageFolderDataset implements FaceDataset {
  private static final Set<String> IMAGE_EXTENSIONS =
      Set.of("jpg", "jpeg", "png", "gif", "bmp", "pgm", "ppm", "pnm");
  private static final Set<String> TEXT_EXTENSIONS =
      Set.of("txt", "md", "csv", "json", "yaml", "yml", "xml", "html", "py", "sh");

  private final Path root;
  private final List<String> identities;
  private final Path[] files;
  private final int[] labels;
  private final Preprocessing preprocessing;

  private ImageFolderDataset(
      Path root, List<String> identities, Path[] files, int[] labels, Preprocessing preprocessing) {
    this.root = root;
    this.identities = identities;
    this.files = files;
    this.labels = labels;
    this.preprocessing = preprocessing;
  }

  /** All identity folders under {@code root}. */
  public static ImageFolderDataset open(Path root, Preprocessing preprocessing) {
    requireDirectory(root);
    List<String> names = new ArrayList<>();
    try (Stream<Path> s = Files.list(root)) {
      s.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith("."))
          .sorted()
          .forEach(names::add);
    } catch (IOException e) {
      throw new UserInputException(root + ": cannot list the folder (" + e.getMessage() + ")", e);
    }
    if (names.isEmpty()) {
      throw new UserInputException(
          root + ": no identity folders; expected root/<identity>/<image>");
    }
    return open(root, names, preprocessing);
  }

  /**
   * The given identity folders under {@code root}, labelled in the given order (e.g. an LFW people
   * list).
   */
  public static ImageFolderDataset open(
      Path root, Collection<String> identityNames, Preprocessing preprocessing) {
    requireDirectory(root);
    List<String> ids = List.copyOf(identityNames);
    if (ids.isEmpty()) {
      throw new UserInputException(root + ": no identities selected");
    }
    if (Set.copyOf(ids).size() != ids.size()) {
      throw new UserInputException(root + ": an identity is listed twice");
    }
    List<Path> paths = new ArrayList<>();
    List<Integer> labs = new ArrayList<>();
    for (int label = 0; label < ids.size(); label++) {
      Path dir = root.resolve(ids.get(label));
      if (!Files.isDirectory(dir)) {
        throw new UserInputException(dir + ": identity folder does not exist");
      }
      List<Path> images = imagesIn(dir);
      if (images.isEmpty()) {
        throw new UserInputException(
            dir
                + ": identity folder '"
                + ids.get(label)
                + "' has no images (JPEG, PNG, GIF, BMP, PGM/PPM)");
      }
      for (Path p : images) {
        paths.add(p);
        labs.add(label);
      }
    }
    return new ImageFolderDataset(
        root,
        ids,
        paths.toArray(new Path[0]),
        labs.stream().mapToInt(Integer::intValue).toArray(),
        preprocessing);
  }

  private static void requireDirectory(Path root) {
    if (!Files.isDirectory(root)) {
      throw new UserInputException(root + ": not a folder (expected root/<identity>/<image>)");
    }
  }

  private static List<Path> imagesIn(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().startsWith("."))
          .filter(Files::isRegularFile)
          .filter(ImageFolderDataset::isImageFile)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UserInputException(dir + ": cannot list the folder (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Every image below {@code root} at any depth, by the rule of the identity folders (extension, or
   * content for other names; hidden entries skipped), in path order: the images {@code embed} reads
   * from a folder, so that it takes exactly the files training would.
   */
  public static List<Path> imagesBelow(Path root) {
    return DataFiles.visibleFilesBelow(root).stream()
        .filter(ImageFolderDataset::isImageFile)
        .toList();
  }

  static boolean isImageFile(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    if (IMAGE_EXTENSIONS.contains(ext)) {
      return true;
    }
    if (TEXT_EXTENSIONS.contains(ext)) {
      return false;
    }
    try (InputStream in = Files.newInputStream(p)) {
      return ImageDecoder.looksLikeImage(in.readNBytes(8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path root() {
    return root;
  }

  /** Identity names; label i is {@code identities().get(i)}. */
  @Override
  public List<String> identities() {
    return identities;
  }

  public Path file(int index) {
    return files[index];
  }

  public Preprocessing preprocessing() {
    return preprocessing;
  }

  @Override
  public int size() {
    return files.length;
  }

  @Override
  public int numClasses() {
    return identities.size();
  }

  @Override
  public int label(int index) {
    return labels[index];
  }

  @Override
  public String source(int index) {
    return files[index].toString();
  }

  @Override
  public FaceImage load(int index, long epoch) {
    RgbImage img = ImageDecoder.decode(files[index]);
    return new FaceImage(
        preprocessing.apply(img, epoch, index),
        preprocessing.outputHeight(),
        preprocessing.outputWidth(),
        labels[index],
        source(index));
  }
}

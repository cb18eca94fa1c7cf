package io.qmargin.model.imports;

import io.qmargin.UserInputException;
import io.qmargin.model.imports.TorchPickle.Storage;
import io.qmargin.model.imports.TorchPickle.StorageKey;
import io.qmargin.model.imports.TorchPickle.TensorView;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads a PyTorch state dict ({@code torch.save}'s zip format: {@code <name>/data.pkl}, the raw
 * storages {@code <name>/data/<key>}, optionally {@code <name>/byteorder}) into a {@link StateDict}
 * without executing anything ({@link TorchPickle}).
 *
 * <p>Checkpoints that wrap the state dict are unwrapped: a dict whose values are not all tensors is
 * searched for one of {@link #WRAPPER_KEYS} (insightface's {@code state_dict_backbone}, wespeaker's
 * and others' {@code model} / {@code state_dict}). A prefix that every name carries ({@code
 * module.} from DataParallel, {@code speaker_extractor.}, {@code backbone.}) is removed.
 */
public final class TorchStateDicts {
  private TorchStateDicts() {}

  /** Keys under which checkpoints keep the network's state dict, tried in this order. */
  public static final List<String> WRAPPER_KEYS =
      List.of("state_dict_backbone", "state_dict", "model", "model_state_dict", "backbone");

  /** Prefixes every name may carry (removed when all names carry it). */
  static final List<String> PREFIXES =
      List.of("module.", "speaker_extractor.", "backbone.", "model.");

  /**
   * The state dict in {@code file}.
   *
   * @throws UserInputException naming the file and the problem: not a zip of torch's format
   *     (truncated, or the legacy pre-1.6 format), a pickle naming a class a state dict does not
   *     need, a tensor outside its storage, no state dict inside
   */
  public static StateDict read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new UserInputException(file + ": no such file");
    }
    try (ZipFile zip = new ZipFile(file.toFile())) {
      String prefix = archivePrefix(zip, file);
      ByteOrder order = byteOrder(zip, prefix, file);
      byte[] pickle = entry(zip, prefix + "data.pkl", file);
      Map<String, Storage> loaded = new HashMap<>();
      Object root =
          TorchPickle.read(
              pickle,
              key ->
                  loaded.computeIfAbsent(key.key(), k -> storage(zip, prefix, key, order, file)));
      return new StateDict(file, tensors(unwrap(root, file), file));
    } catch (ZipException e) {
      if (isLegacyFormat(file)) {
        throw new UserInputException(
            file
                + ": saved in PyTorch's legacy format (before 1.6, or with"
                + " _use_new_zipfile_serialization=False), which is not read; re-save it with"
                + " torch.save in a current PyTorch");
      }
      throw new UserInputException(
          file
              + ": not a complete PyTorch zip archive ("
              + e.getMessage()
              + "); truncated, or not written by torch.save");
    } catch (TorchPickle.RefusedException e) {
      throw new UserInputException(file + ": " + e.getMessage());
    } catch (IOException e) {
      throw new UserInputException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /** The legacy format starts with a pickle (protocol 2: 0x80 0x02) of its magic number. */
  private static boolean isLegacyFormat(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(2);
      return head.length == 2 && (head[0] & 0xff) == 0x80 && head[1] == 2;
    } catch (IOException e) {
      return false;
    }
  }

  private static String archivePrefix(ZipFile zip, Path file) {
    Enumeration<? extends ZipEntry> entries = zip.entries();
    while (entries.hasMoreElements()) {
      String name = entries.nextElement().getName();
      if (name.endsWith("data.pkl") && (name.equals("data.pkl") || name.endsWith("/data.pkl"))) {
        return name.substring(0, name.length() - "data.pkl".length());
      }
    }
    throw new UserInputException(
        file + ": a zip archive without data.pkl, so not a state dict written by torch.save");
  }

  private static ByteOrder byteOrder(ZipFile zip, String prefix, Path file) throws IOException {
    ZipEntry e = zip.getEntry(prefix + "byteorder");
    if (e == null) {
      return ByteOrder.LITTLE_ENDIAN; // torch before 2.1 wrote no byteorder and only little-endian
    }
    String order = new String(entry(zip, prefix + "byteorder", file), StandardCharsets.US_ASCII);
    return switch (order.trim()) {
      case "little" -> ByteOrder.LITTLE_ENDIAN;
      case "big" -> ByteOrder.BIG_ENDIAN;
      default -> throw new UserInputException(file + ": unknown byteorder '" + order + "'");
    };
  }

  private static byte[] entry(ZipFile zip, String name, Path file) throws IOException {
    ZipEntry e = zip.getEntry(name);
    if (e == null) {
      throw new UserInputException(file + ": the archive has no " + name);
    }
    try (InputStream in = zip.getInputStream(e)) {
      return in.readAllBytes();
    }
  }

  private static Storage storage(
      ZipFile zip, String prefix, StorageKey key, ByteOrder order, Path file) {
    if (key.type() == null) {
      throw new TorchPickle.RefusedException("a storage of an unsupported element type");
    }
    byte[] data;
    try {
      data = entry(zip, prefix + "data/" + key.key(), file);
    } catch (IOException e) {
      throw new UserInputException(
          file + ": cannot read storage " + key.key() + " (" + e.getMessage() + ")");
    }
    long expected = key.elements() * key.type().bytes();
    if (data.length < expected) {
      throw new UserInputException(
          file
              + ": storage "
              + key.key()
              + " holds "
              + data.length
              + " bytes, the pickle declares "
              + expected);
    }
    return new Storage(key.type(), ByteBuffer.wrap(data).order(order));
  }

  /** The dict of tensors inside {@code root}: itself, or under one of {@link #WRAPPER_KEYS}. */
  private static Map<?, ?> unwrap(Object root, Path file) {
    if (!(root instanceof Map<?, ?> map)) {
      throw new UserInputException(
          file + ": holds a " + describe(root) + ", not a state dict (a dict of tensors)");
    }
    if (map.values().stream().allMatch(v -> v instanceof TensorView)) {
      return map;
    }
    for (String key : WRAPPER_KEYS) {
      if (map.get(key) instanceof Map<?, ?> inner
          && !inner.isEmpty()
          && inner.values().stream().allMatch(v -> v instanceof TensorView)) {
        return inner;
      }
    }
    throw new UserInputException(
        file
            + ": no state dict inside (a dict of tensors, or one under "
            + String.join(", ", WRAPPER_KEYS)
            + "); its keys: "
            + map.keySet());
  }

  private static Map<String, StateDict.Tensor> tensors(Map<?, ?> dict, Path file) {
    List<String> names = new ArrayList<>();
    for (Object k : dict.keySet()) {
      names.add(String.valueOf(k));
    }
    String strip = commonPrefix(names);
    Map<String, StateDict.Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : dict.entrySet()) {
      String name = String.valueOf(e.getKey()).substring(strip.length());
      TensorView t = (TensorView) e.getValue();
      try {
        out.put(name, new StateDict.Tensor(t.shape(), t.values()));
      } catch (IllegalArgumentException bad) {
        throw new UserInputException(file + ": tensor " + name + ": " + bad.getMessage());
      }
    }
    return out;
  }

  /** The concatenation of {@link #PREFIXES} that every name starts with (may be empty). */
  static String commonPrefix(List<String> names) {
    String strip = "";
    boolean more = !names.isEmpty();
    while (more) {
      more = false;
      for (String p : PREFIXES) {
        String candidate = strip + p;
        if (names.stream()
            .allMatch(n -> n.startsWith(candidate) && n.length() > candidate.length())) {
          strip = candidate;
          more = true;
          break;
        }
      }
    }
    return strip;
  }

  private static String describe(Object o) {
    return o == null ? "None" : o.getClass().getSimpleName();
  }
}

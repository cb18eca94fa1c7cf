package io.qmargin.model.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state-dict reader against files torch.save wrote ({@code tools/fixtures/state_dicts.py
 * --tiny}): values equal torch's own (written as text beside them), views read through their
 * strides and offsets, half and int64 storages; hostile and broken files refused by name.
 */
class TorchStateDictsTest {
  @TempDir Path dir;

  static Path resource(String name) {
    try {
      return Path.of(TorchStateDictsTest.class.getResource(name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void readsEveryTensorAsTorchWroteIt() throws IOException {
    StateDict sd = TorchStateDicts.read(resource("tiny.pth"));
    List<String> expected = Files.readAllLines(resource("tiny_expected.txt"));
    assertThat(sd.tensors().keySet())
        .containsExactlyElementsOf(expected.stream().map(l -> l.split("\t")[0]).toList());
    for (String line : expected) {
      String[] f = line.split("\t", -1);
      StateDict.Tensor t = sd.tensors().get(f[0]);
      long[] shape =
          f[1].isEmpty()
              ? new long[0]
              : Arrays.stream(f[1].split(",")).mapToLong(Long::parseLong).toArray();
      assertThat(t.shape()).as(f[0]).containsExactly(shape);
      float[] values = new float[t.values().length];
      String[] v = f[2].split(" ");
      for (int i = 0; i < v.length; i++) {
        values[i] = Float.parseFloat(v[i]);
      }
      assertThat(t.values()).as(f[0]).containsExactly(values);
    }
  }

  @Test
  void theTransposedViewIsTheTransposeOfItsStorage() {
    StateDict sd = TorchStateDicts.read(resource("tiny.pth"));
    float[] w = sd.tensors().get("conv.weight").values(); // 3 x 4
    float[] wt = sd.tensors().get("conv.weight_t").values(); // 4 x 3
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 4; c++) {
        assertThat(wt[c * 3 + r]).isEqualTo(w[r * 4 + c]);
      }
    }
  }

  @Test
  void aPickleNamingAnotherClassIsRefusedWithItsName() {
    Path bad = resource("malicious.pth");
    assertThatThrownBy(() -> TorchStateDicts.read(bad))
        .isInstanceOf(UserInputException.class)
        .hasMessage(
            bad
                + ": the pickle names builtins.eval, which a state dict does not need; refusing to"
                + " load it");
  }

  @Test
  void aTruncatedFileIsRefusedAsIncomplete() {
    Path bad = resource("truncated.pth");
    assertThatThrownBy(() -> TorchStateDicts.read(bad))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith(bad + ": not a complete PyTorch zip archive");
  }

  @Test
  void theLegacyFormatIsNamed() throws IOException {
    // torch.save(..., _use_new_zipfile_serialization=False) begins with a protocol-2 pickle
    Path legacy = Files.write(dir.resolve("old.pth"), new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10});
    assertThatThrownBy(() -> TorchStateDicts.read(legacy))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith(legacy + ": saved in PyTorch's legacy format");
  }

  @Test
  void aStorageShorterThanDeclaredIsRefused() throws IOException {
    Path cut = dir.resolve("cut.pth");
    rewrite(resource("tiny.pth"), cut, "tiny/data/0", new byte[8]);
    assertThatThrownBy(() -> TorchStateDicts.read(cut))
        .isInstanceOf(UserInputException.class)
        .hasMessage(cut + ": storage 0 holds 8 bytes, the pickle declares 48");
  }

  @Test
  void aZipWithoutAPickleIsNotAStateDict() throws IOException {
    Path other = dir.resolve("other.zip");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(other))) {
      z.putNextEntry(new ZipEntry("readme.txt"));
      z.write("hello".getBytes(StandardCharsets.UTF_8));
    }
    assertThatThrownBy(() -> TorchStateDicts.read(other))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("without data.pkl");
  }

  @Test
  void commonPrefixesAreRemovedOnlyWhenEveryNameCarriesThem() {
    assertThat(TorchStateDicts.commonPrefix(List.of("module.a.weight", "module.b.bias")))
        .isEqualTo("module.");
    assertThat(
            TorchStateDicts.commonPrefix(
                List.of("module.speaker_extractor.a", "module.speaker_extractor.b")))
        .isEqualTo("module.speaker_extractor.");
    assertThat(TorchStateDicts.commonPrefix(List.of("module.a", "projection.weight"))).isEmpty();
  }

  /** Copies a zip, replacing one entry's bytes. */
  private static void rewrite(Path from, Path to, String entry, byte[] replacement)
      throws IOException {
    try (var zin = new java.util.zip.ZipFile(from.toFile());
        ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(to))) {
      var entries = zin.entries();
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        z.putNextEntry(new ZipEntry(e.getName()));
        if (e.getName().equals(entry)) {
          z.write(replacement);
        } else {
          try (InputStream in = zin.getInputStream(e)) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            z.write(b.toByteArray());
          }
        }
      }
    }
  }
}

package io.qmargin.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFingerprintTest {
  @TempDir Path dir;

  private Path model(String name, String json, byte[] weights) throws Exception {
    Path m = dir.resolve(name).resolve("model");
    Files.createDirectories(m);
    Files.writeString(m.resolve("model.json"), json);
    Files.write(m.resolve("backbone.params"), weights);
    return m.getParent();
  }

  @Test
  void aSingleFileHashesItsNameLengthAndBytes() throws Exception {
    Path f = dir.resolve("w.onnx");
    Files.writeString(f, "abc");
    // the documented layout: int32 name length, the name, int64 size, the bytes
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update(ByteBuffer.allocate(4).putInt(6).array());
    sha.update("w.onnx".getBytes(StandardCharsets.UTF_8));
    sha.update(ByteBuffer.allocate(8).putLong(3).array());
    sha.update("abc".getBytes(StandardCharsets.UTF_8));
    String expected = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    assertThat(ModelFingerprint.of(f)).isEqualTo(expected).hasSize(16);
  }

  @Test
  void theSameFilesAnywhereShareAFingerprintAndOneChangedByteDoesNot() throws Exception {
    Path a = model("a", "{\"config\":1}", new byte[] {1, 2, 3});
    Path b = model("b", "{\"config\":1}", new byte[] {1, 2, 3});
    Path c = model("c", "{\"config\":1}", new byte[] {1, 2, 4});
    Path d = model("d", "{\"config\":2}", new byte[] {1, 2, 3});
    assertThat(ModelFingerprint.of(a)).isEqualTo(ModelFingerprint.of(b));
    assertThat(ModelFingerprint.of(a)).isEqualTo(ModelFingerprint.of(a.resolve("model")));
    assertThat(ModelFingerprint.of(c)).isNotEqualTo(ModelFingerprint.of(a));
    assertThat(ModelFingerprint.of(d)).isNotEqualTo(ModelFingerprint.of(a));
  }

  @Test
  void aFolderWithoutAModelIsRefused() throws Exception {
    Files.createDirectories(dir.resolve("empty"));
    assertThatThrownBy(() -> ModelFingerprint.of(dir.resolve("empty")))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("no trained model");
  }
}

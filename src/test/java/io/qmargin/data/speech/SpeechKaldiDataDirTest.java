package io.qmargin.data.speech;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpeechKaldiDataDirTest {
  @TempDir Path tmp;
  Path data;

  @BeforeEach
  void audio() throws IOException {
    data = tmp.resolve("data/train");
    Files.createDirectories(data);
    for (String name : new String[] {"a1", "a2", "b1", "c1"}) {
      TestWavs.tiny(data.resolve("wav/" + name + ".wav"));
    }
  }

  private void write(String file, String... lines) throws IOException {
    Files.writeString(data.resolve(file), String.join("\n", lines) + "\n");
  }

  private String fileLine(String file, int line) {
    return data.resolve(file) + ":" + line + ":";
  }

  @Test
  void readsUtterancesInWavScpOrderWithSortedSpeakers() throws IOException {
    Path absolute = data.resolve("wav/c1.wav").toAbsolutePath();
    write(
        "wav.scp",
        "spkB-b1 wav/b1.wav",
        "",
        "spkA-a1\twav/a1.wav",
        "spkC-c1  " + absolute,
        "spkA-a2 wav/a2.wav");
    write("utt2spk", "spkA-a1 spkA", "spkA-a2 spkA", "spkB-b1 spkB", "spkC-c1\tspkC");
    write("spk2utt", "this file is ignored");

    SpeechCorpus c = KaldiDataDir.read(data);

    assertThat(c.utterances())
        .extracting(Utterance::id)
        .containsExactly("spkB-b1", "spkA-a1", "spkC-c1", "spkA-a2");
    assertThat(c.speakers()).containsExactly("spkA", "spkB", "spkC");
    assertThat(c.label(0)).isEqualTo(1);
    assertThat(c.label(1)).isEqualTo(0);
    assertThat(c.label(3)).isEqualTo(0);
    assertThat(c.utterance(0).path()).isEqualTo(data.resolve("wav/b1.wav"));
    assertThat(c.utterance(2).path()).isEqualTo(absolute);
    assertThat(c.utterancesPerSpeaker()).containsExactly(2, 1, 1);
  }

  @Test
  void relativePathsCanBeResolvedAgainstAnotherBase() throws IOException {
    write("wav.scp", "u1 data/train/wav/a1.wav");
    write("utt2spk", "u1 s1");

    SpeechCorpus c = KaldiDataDir.read(data, tmp);

    assertThat(c.utterance(0).path()).isEqualTo(tmp.resolve("data/train/wav/a1.wav"));
    assertThatThrownBy(() -> KaldiDataDir.read(data))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("do not exist")
        .hasMessageContaining("resolved against " + data);
  }

  @Test
  void commandPipesAreRejectedWithFileAndLine() throws IOException {
    write("wav.scp", "u1 wav/a1.wav", "u2 sox wav/x.sph -t wav - |");
    write("utt2spk", "u1 s1", "u2 s1");

    assertThatThrownBy(() -> KaldiDataDir.read(data))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(fileLine("wav.scp", 2))
        .hasMessageContaining("'u2' is a command pipe")
        .hasMessageContaining("does not run commands");
  }

  @Test
  void malformedLinesNameFileAndLine() throws IOException {
    write("wav.scp", "u1 wav/a1.wav", "u2 wav/a2.wav", "u3");
    write("utt2spk", "u1 s1", "u2 s1", "u3 s2");
    assertThatThrownBy(() -> KaldiDataDir.read(data))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(fileLine("wav.scp", 3))
        .hasMessageContaining("expected '<utt-id> <audio-path>'");

    write("wav.scp", "u1 wav/a1.wav", "u2 wav/a2.wav");
    write("utt2spk", "u1 s1", "u2 s1 extra");
    assertThatThrownBy(() -> KaldiDataDir.read(data))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(fileLine("utt2spk", 2))
        .hasMessageContaining("two fields");
  }

  @Test
  void duplicateUtteranceIdsNameBothLines() throws IOException {
    write("wav.scp", "u1 wav/a1.wav", "u2 wav/a2.wav", "u1 wav/b1.wav");
    write("utt2spk", "u1 s1", "u2 s1");
    assertThatThrownBy(() -> KaldiDataDir.read(data))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(fileLine("wav.scp", 3))
        .hasMessageContaining("'u1' already listed on line 1");

    write("wav.scp", "u1 wav/a1.wav", "u2 wav/a2.wav");
    write("utt2spk", "u1 s1", "u2 s1", "u2 s2");
    assertThatThrownBy(() -> KaldiDataDir.read(data))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(fileLine("utt2spk", 3))
        .hasMessageContaining("already listed on line 2");
  }

  @Test
  void utteranceWithoutSpeakerIsNamedWithItsWavScpLine() throws IOException {
    write("wav.scp", "u1 wav/a1.wav", "u2 wav/a2.wav", "u3 wav/b1.wav");
    write("utt2spk", "u1 s1");
    assertThatThrownBy(() -> KaldiDataDir.read(data))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(fileLine("wav.scp", 2))
        .hasMessageContaining("'u2' has no speaker in " + data.resolve("utt2spk"))
        .hasMessageContaining("2 utterances of wav.scp are missing from utt2spk");
  }

  @Test
  void speakerEntryWithoutAudioIsNamedWithItsUtt2spkLine() throws IOException {
    write("wav.scp", "u1 wav/a1.wav");
    write("utt2spk", "u1 s1", "", "u9 s2");
    assertThatThrownBy(() -> KaldiDataDir.read(data))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(fileLine("utt2spk", 3))
        .hasMessageContaining("'u9' is not in " + data.resolve("wav.scp"))
        .hasMessageContaining("1 utterance of utt2spk is missing from wav.scp");
  }

  @Test
  void missingFilesAreCountedAndTheFirstFewNamed() throws IOException {
    StringBuilder scp = new StringBuilder("u0 wav/a1.wav\n");
    StringBuilder spk = new StringBuilder("u0 s\n");
    for (int i = 1; i <= 7; i++) {
      scp.append("u").append(i).append(" wav/gone").append(i).append(".wav\n");
      spk.append("u").append(i).append(" s\n");
    }
    Files.writeString(data.resolve("wav.scp"), scp);
    Files.writeString(data.resolve("utt2spk"), spk);

    assertThatThrownBy(() -> KaldiDataDir.read(data))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(
            data.resolve("wav.scp") + ": 7 of 8 listed audio files do not exist (first 5 shown)")
        .hasMessageContaining("line 2: " + data.resolve("wav/gone1.wav"))
        .hasMessageContaining("line 6: ")
        .hasMessageNotContaining("line 7: ");
  }

  @Test
  void archiveOffsetsGetAHint() throws IOException {
    write("wav.scp", "u1 wav/a1.wav", "u2 feats.ark:1234");
    write("utt2spk", "u1 s", "u2 s");
    assertThatThrownBy(() -> KaldiDataDir.read(data))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("line 2:")
        .hasMessageContaining("archive offset");
  }

  @Test
  void segmentsAndMissingListsAreClearErrors() throws IOException {
    write("wav.scp", "u1 wav/a1.wav");
    assertThatThrownBy(() -> KaldiDataDir.read(data))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(data.resolve("utt2spk") + ": no such file");

    write("utt2spk", "u1 s");
    write("segments", "u1 rec1 0.0 1.5");
    assertThatThrownBy(() -> KaldiDataDir.read(data))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(data.resolve("segments").toString())
        .hasMessageContaining("not supported");

    assertThatThrownBy(() -> KaldiDataDir.read(tmp.resolve("nowhere")))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("nowhere: not a folder");
  }
}

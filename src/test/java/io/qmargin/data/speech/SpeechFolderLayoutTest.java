package io.qmargin.data.speech;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpeechFolderLayoutTest {
  @TempDir Path root;

  @Test
  void voxcelebIdsAreSpeakerVideoFileLikeTheTrialLists() throws IOException {
    TestWavs.tiny(root.resolve("id10270/x6uYqmx31kE/00001.wav"));
    TestWavs.tiny(root.resolve("id10270/x6uYqmx31kE/00002.wav"));
    TestWavs.tiny(root.resolve("id10270/5r0dWxy17C8/00001.flac"));
    TestWavs.tiny(root.resolve("id10001/1zcIwhmdeo4/00001.ogg"));
    Files.writeString(root.resolve("id10001/1zcIwhmdeo4/00002.m4a"), "aac");
    Files.writeString(root.resolve("id10001/1zcIwhmdeo4/notes.txt"), "x");
    TestWavs.tiny(root.resolve("id10001/.hidden/00001.wav"));
    Files.writeString(root.resolve("README.txt"), "files at the root are ignored");

    SpeechCorpus c = SpeakerFolders.voxceleb(root);

    assertThat(c.speakers()).containsExactly("id10001", "id10270");
    assertThat(c.utterances())
        .extracting(Utterance::id)
        .containsExactly(
            "id10001/1zcIwhmdeo4/00001.ogg",
            "id10270/5r0dWxy17C8/00001.flac",
            "id10270/x6uYqmx31kE/00001.wav",
            "id10270/x6uYqmx31kE/00002.wav");
    assertThat(c.label(0)).isEqualTo(0);
    assertThat(c.label(3)).isEqualTo(1);
    assertThat(c.utterance(2).path()).isEqualTo(root.resolve("id10270/x6uYqmx31kE/00001.wav"));
  }

  @Test
  void voxcelebRootMayHoldTheUnpackedWavFolder() throws IOException {
    TestWavs.tiny(root.resolve("wav/id10270/x6uYqmx31kE/00001.wav"));
    SpeechCorpus c = SpeakerFolders.voxceleb(root);
    assertThat(c.utterance(0).id()).isEqualTo("id10270/x6uYqmx31kE/00001.wav");
  }

  @Test
  void emptyOrUnconvertedSpeakerFoldersAreErrors() throws IOException {
    TestWavs.tiny(root.resolve("id1/v/1.wav"));
    Files.createDirectories(root.resolve("id2/v"));
    assertThatThrownBy(() -> SpeakerFolders.voxceleb(root))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(
            root.resolve("id2") + ": speaker folder 'id2' has no <video>/<utt>.wav|flac|ogg files");

    Files.writeString(root.resolve("id2/v/1.m4a"), "aac");
    assertThatThrownBy(() -> SpeakerFolders.voxceleb(root))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("convert them to WAV or FLAC");

    Files.delete(root.resolve("id2/v/1.m4a"));
    TestWavs.tiny(root.resolve("id2/flat.wav"));
    assertThatThrownBy(() -> SpeakerFolders.voxceleb(root))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("directly in the speaker folder");

    assertThatThrownBy(() -> SpeakerFolders.voxceleb(root.resolve("id1/v/1.wav")))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("not a folder");
  }

  @Test
  void genericLayoutFindsAudioAtAnyDepthBelowTheSpeaker() throws IOException {
    TestWavs.tiny(root.resolve("bob/a.wav"));
    TestWavs.tiny(root.resolve("bob/session2/b.FLAC"));
    TestWavs.tiny(root.resolve("alice/c.ogg"));
    Files.writeString(root.resolve("alice/c.txt"), "transcript");
    TestWavs.tiny(root.resolve("alice/.cache/d.wav"));
    TestWavs.tiny(root.resolve("top.wav"));

    SpeechCorpus c = SpeakerFolders.generic(root);

    assertThat(c.speakers()).containsExactly("alice", "bob");
    assertThat(c.utterances())
        .extracting(Utterance::id)
        .containsExactly("alice/c.ogg", "bob/a.wav", "bob/session2/b.FLAC");

    Files.createDirectories(root.resolve("carol"));
    assertThatThrownBy(() -> SpeakerFolders.generic(root))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("speaker folder 'carol' has no .wav, .flac or .ogg files");
  }

  @Test
  void fsddSpeakersComeFromTheFileNamesFlatOrInFolders() throws IOException {
    Path rec = root.resolve("fsdd/recordings");
    TestWavs.tiny(rec.resolve("0_george_0.wav"));
    TestWavs.tiny(rec.resolve("7_george_12.wav"));
    TestWavs.tiny(rec.resolve("theo/3_theo_4.wav"));
    TestWavs.tiny(rec.resolve("theo/notes.wav"));

    SpeechCorpus c = Fsdd.read(root.resolve("fsdd"));

    assertThat(c.speakers()).containsExactly("george", "theo");
    assertThat(c.utterances())
        .extracting(Utterance::id)
        .containsExactly("0_george_0", "7_george_12", "3_theo_4");
    assertThat(Fsdd.digit(c.utterance(1))).isEqualTo(7);
    assertThat(Fsdd.index(c.utterance(1))).isEqualTo(12);
    CorpusSplit official = Fsdd.officialSplit(c);
    assertThat(official.heldOut().utterances())
        .extracting(Utterance::id)
        .containsExactly("0_george_0", "3_theo_4");
    assertThat(official.heldOut().speakers()).isEqualTo(c.speakers());

    assertThatThrownBy(() -> Fsdd.read(root.resolve("fsdd/recordings/theo/x")))
        .isInstanceOf(UserInputException.class);
    Files.createDirectories(root.resolve("empty"));
    assertThatThrownBy(() -> Fsdd.read(root.resolve("empty")))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("no FSDD recordings");
  }
}

package io.qmargin.data.speech;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmargin.audio.AudioReader;
import io.qmargin.audio.Waveform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpeechSourcesTest {
  @TempDir Path tmp;

  /** The data sets beside the checkout (tests only; a user's clone has none). */
  private static Path sharedData() {
    Path fromEnv = SpeechSources.sharedDataDir(System.getenv());
    return fromEnv != null ? fromEnv : Path.of("../shared/data");
  }

  @Test
  void dataFolderComesFromTheEnvironmentOnly() {
    assertThat(SpeechSources.sharedDataDir(Map.of("QMARGIN_DATA", "/data/x")))
        .isEqualTo(Path.of("/data/x"));
    assertThat(SpeechSources.sharedDataDir(Map.of())).isNull();
  }

  @Test
  void findsFsddInTheSharedData() {
    Path fsdd = sharedData().resolve("fsdd");
    Assumptions.assumeTrue(Files.isDirectory(fsdd), fsdd + " not present");

    SpeechSources.Discovery d = SpeechSources.discover(sharedData(), tmp);

    assertThat(d.sources()).hasSize(1);
    SpeechSources.Source s = d.sources().get(0);
    assertThat(s.name()).isEqualTo("FSDD");
    assertThat(s.corpus().speakers())
        .containsExactly("george", "jackson", "lucas", "nicolas", "theo", "yweweler");
    assertThat(s.corpus().size()).isEqualTo(3000);
    assertThat(s.corpus().utterancesPerSpeaker()).containsOnly(500);
    assertThat(s.describe()).contains("FSDD: 6 speakers, 3000 utterances, 8 kHz");
    assertThat(d.suggestedSampleRate()).isEqualTo(8000);
    assertThat(Fsdd.officialSplit(s.corpus()).heldOut().size()).isEqualTo(300);
    assertThat(d.combined().speakers()).startsWith("fsdd/george");
    Waveform w = AudioReader.read(s.corpus().utterance(0).path());
    assertThat(w.sampleRate()).isEqualTo(8000);
  }

  /** The layout the Debian packages install (file names from the bookworm packages). */
  private Path fakeDebianRoot() throws IOException {
    Path root = tmp.resolve("root");
    Path sounds = root.resolve(DebianSpeech.ASTERISK_SOUNDS);
    TestWavs.tiny(sounds.resolve("en_US_f_Allison/activated.wav"));
    TestWavs.tiny(sounds.resolve("en_US_f_Allison/digits/1.wav"));
    TestWavs.tiny(sounds.resolve("en_US_f_Allison/silence/1.wav"));
    TestWavs.tiny(sounds.resolve("en_US_f_Allison/beep.wav"));
    TestWavs.tiny(sounds.resolve("es_MX_f_Allison/digits/1.wav"));
    TestWavs.tiny(sounds.resolve("it_IT_m_Carlo/digits/2.wav"));
    Files.writeString(sounds.resolve("it_IT_m_Carlo/digits/2.gsm"), "gsm");
    Files.createSymbolicLink(sounds.resolve("en"), sounds.resolve("en_US_f_Allison"));
    Path fillets = root.resolve(DebianSpeech.FILLETS_SOUNDS);
    // Listing only: the content is a WAV under an .ogg name (AudioReader goes by content anyway).
    for (int i = 0; i < 10; i++) {
      TestWavs.tiny(fillets.resolve("airplane/cs/let-m-divna" + i + ".ogg"));
      TestWavs.tiny(fillets.resolve("share/blackjokes/cs/smrt-v-" + i + ".ogg"));
    }
    TestWavs.tiny(fillets.resolve("airplane/cs/let-m.ogg"));
    TestWavs.tiny(fillets.resolve("bathyscaph/cs/bat-p-0.ogg"));
    TestWavs.tiny(fillets.resolve("city/en/vit-m-stray.ogg"));
    Files.createDirectories(root.resolve("var/lib/dpkg"));
    Files.writeString(
        root.resolve("var/lib/dpkg/status"),
        """
        Package: fillets-ng-data-cs
        Status: install ok installed
        Version: 1.0.1-1.1

        Package: asterisk-core-sounds-en-wav
        Status: deinstall ok config-files

        """);
    return root;
  }

  @Test
  void findsAsteriskVoicesAndFilletsRolesUnderASystemRoot() throws IOException {
    Path root = fakeDebianRoot();

    SpeechSources.Discovery d = SpeechSources.discover(tmp.resolve("no-shared-data"), root);

    assertThat(d.sources())
        .extracting(SpeechSources.Source::name)
        .containsExactly("Asterisk", "Fillets");
    SpeechCorpus asterisk = d.sources().get(0).corpus();
    assertThat(asterisk.speakers()).containsExactly("Allison", "Carlo");
    assertThat(asterisk.utterances())
        .extracting(Utterance::id)
        .containsExactly(
            "en_US_f_Allison/activated.wav",
            "en_US_f_Allison/digits/1.wav",
            "es_MX_f_Allison/digits/1.wav",
            "it_IT_m_Carlo/digits/2.wav");
    SpeechCorpus fillets = d.sources().get(1).corpus();
    assertThat(fillets.speakers()).containsExactly("cs-m", "cs-v");
    assertThat(fillets.size()).isEqualTo(20);
    assertThat(fillets.utterances())
        .extracting(Utterance::id)
        .startsWith("airplane/cs/let-m-divna0.ogg")
        .endsWith("share/blackjokes/cs/smrt-v-9.ogg");
    assertThat(d.combined().speakers())
        .containsExactly("asterisk/Allison", "asterisk/Carlo", "fillets/cs-m", "fillets/cs-v");
    assertThat(d.suggestedSampleRate()).isEqualTo(8000);
    assertThat(d.describe())
        .contains("Asterisk: 2 speakers, 4 utterances, 8 kHz")
        .contains("Fillets: 2 speakers, 20 utterances, 22.05 kHz, GPL-2")
        .contains("note: FSDD not found")
        .contains("not installed: asterisk-core-sounds-en-wav")
        .doesNotContain("not installed: fillets-ng-data-cs");
  }

  @Test
  void nothingFoundIsAnEmptyDiscoveryNotAnError() {
    SpeechSources.Discovery d = SpeechSources.discover(null, tmp);
    assertThat(d.isEmpty()).isTrue();
    assertThat(d.describe()).startsWith("no real speech found");
    assertThat(d.suggestedSampleRate()).isEqualTo(16000);
  }

  @Test
  void readsTheInstalledFilletsVoicesWhenPresent() {
    Path sound = Path.of("/").resolve(DebianSpeech.FILLETS_SOUNDS);
    SpeechCorpus c = DebianSpeech.fillets(sound);
    Assumptions.assumeTrue(c.size() > 0, "no Fish Fillets NG voice package installed");
    assertThat(c.speakers()).allSatisfy(s -> assertThat(s).matches("[a-z]+-[mv]"));
    Waveform w = AudioReader.read(c.utterance(0).path());
    assertThat(w.sampleRate()).isEqualTo(DebianSpeech.FILLETS_SAMPLE_RATE);
    assertThat(w.numFrames()).isPositive();
  }
}

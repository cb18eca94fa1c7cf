package io.qmargin.data.speech;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SpeechCorpusSplitTest {
  /** 10 speakers spk00..spk09 with 7 utterances each, plus spk10 with a single one. */
  private static List<Utterance> utterances() {
    List<Utterance> out = new ArrayList<>();
    for (int s = 0; s < 10; s++) {
      for (int u = 0; u < 7; u++) {
        String spk = String.format("spk%02d", s);
        out.add(new Utterance(spk + "-" + u, Path.of("/nowhere/" + spk + "/" + u + ".wav"), spk));
      }
    }
    out.add(new Utterance("spk10-0", Path.of("/nowhere/spk10/0.wav"), "spk10"));
    return out;
  }

  private static final SpeechCorpus CORPUS = SpeechCorpus.of(utterances(), "test corpus");

  private static Set<String> ids(SpeechCorpus c) {
    Set<String> out = new HashSet<>();
    c.utterances().forEach(u -> out.add(u.id()));
    return out;
  }

  @Test
  void speakersAreLabelledInNameOrderWhateverTheListingOrder() {
    List<Utterance> shuffled = new ArrayList<>(utterances());
    Collections.shuffle(shuffled, new Random(3));
    SpeechCorpus c = SpeechCorpus.of(shuffled, "shuffled");

    assertThat(c.speakers())
        .isEqualTo(CORPUS.speakers())
        .startsWith("spk00", "spk01")
        .endsWith("spk10");
    for (int i = 0; i < c.size(); i++) {
      assertThat(c.speakers().get(c.label(i))).isEqualTo(c.utterance(i).speaker());
    }
    assertThat(c.speakerIndex("spk03")).isEqualTo(3);
  }

  @Test
  void speakerSplitIsDeterministicAndDisjoint() {
    CorpusSplit a = CORPUS.splitBySpeakers(3, 42);
    CorpusSplit b = CORPUS.splitBySpeakers(3, 42);
    CorpusSplit other = CORPUS.splitBySpeakers(3, 43);

    assertThat(a.heldOut().speakers()).hasSize(3).isEqualTo(b.heldOut().speakers());
    assertThat(ids(a.train())).isEqualTo(ids(b.train()));
    assertThat(other.heldOut().speakers()).isNotEqualTo(a.heldOut().speakers());
    assertThat(a.train().speakers()).hasSize(8).doesNotContainAnyElementsOf(a.heldOut().speakers());
    assertThat(a.train().size() + a.heldOut().size()).isEqualTo(CORPUS.size());
    Set<String> union = ids(a.train());
    union.addAll(ids(a.heldOut()));
    assertThat(union).isEqualTo(ids(CORPUS));
    // Each part numbers its own speakers from 0.
    for (SpeechCorpus part : List.of(a.train(), a.heldOut())) {
      for (int i = 0; i < part.size(); i++) {
        assertThat(part.label(i)).isBetween(0, part.numSpeakers() - 1);
        assertThat(part.speakers().get(part.label(i))).isEqualTo(part.utterance(i).speaker());
      }
    }
  }

  @Test
  void utteranceSplitIsDeterministicDisjointAndKeepsEverySpeakerInTraining() {
    CorpusSplit a = CORPUS.splitByUtterances(0.3, 7);
    CorpusSplit b = CORPUS.splitByUtterances(0.3, 7);

    assertThat(ids(a.heldOut())).isEqualTo(ids(b.heldOut()));
    assertThat(ids(a.heldOut())).doesNotContainAnyElementsOf(ids(a.train()));
    assertThat(a.train().size() + a.heldOut().size()).isEqualTo(CORPUS.size());
    // round(0.3 * 7) = 2 held out per speaker; the single-utterance speaker stays in training.
    assertThat(a.heldOut().size()).isEqualTo(20);
    assertThat(a.train().utterancesPerSpeaker()).containsExactly(5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 1);
    // Both parts keep the corpus's labels.
    assertThat(a.heldOut().speakers()).isEqualTo(CORPUS.speakers());
    assertThat(a.train().speakers()).isEqualTo(CORPUS.speakers());
    assertThat(ids(CORPUS.splitByUtterances(0.3, 8).heldOut())).isNotEqualTo(ids(a.heldOut()));
  }

  @Test
  void utteranceSplitDoesNotDependOnListingOrderOrOtherSpeakers() {
    List<Utterance> shuffled = new ArrayList<>(utterances());
    Collections.shuffle(shuffled, new Random(5));
    Set<String> fromShuffled =
        ids(SpeechCorpus.of(shuffled, "s").splitByUtterances(0.3, 7).heldOut());
    assertThat(fromShuffled).isEqualTo(ids(CORPUS.splitByUtterances(0.3, 7).heldOut()));

    List<Utterance> fewer =
        utterances().stream().filter(u -> !u.speaker().equals("spk05")).toList();
    Set<String> fromFewer = ids(SpeechCorpus.of(fewer, "f").splitByUtterances(0.3, 7).heldOut());
    Set<String> expected = ids(CORPUS.splitByUtterances(0.3, 7).heldOut());
    expected.removeIf(id -> id.startsWith("spk05"));
    assertThat(fromFewer).isEqualTo(expected);
  }

  @Test
  void invalidSplitsNameTheValue() {
    assertThatThrownBy(() -> CORPUS.splitBySpeakers(11, 0))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("cannot hold out 11 of the 11 speakers")
        .hasMessageContaining("from 1 to 10");
    assertThatThrownBy(() -> CORPUS.splitBySpeakers(0, 0)).isInstanceOf(UserInputException.class);
    assertThatThrownBy(() -> CORPUS.splitByUtterances(1.0, 0))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("1.0");
    assertThatThrownBy(() -> CORPUS.splitByUtterances(Double.NaN, 0))
        .isInstanceOf(UserInputException.class);
  }

  @Test
  void prefixingAndJoiningKeepIdsUnique() {
    SpeechCorpus joined =
        SpeechCorpus.concat(List.of(CORPUS.prefixed("a"), CORPUS.prefixed("b")), "joined");
    assertThat(joined.size()).isEqualTo(2 * CORPUS.size());
    assertThat(joined.numSpeakers()).isEqualTo(22);
    assertThat(joined.speakers()).startsWith("a/spk00").endsWith("b/spk10");
    assertThat(joined.utterance(0).id()).isEqualTo("a/spk00-0");

    assertThatThrownBy(() -> SpeechCorpus.concat(List.of(CORPUS, CORPUS), "twice"))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("twice: utterance id 'spk00-0' occurs twice");
  }
}

package io.qmargin.data.speech;

import io.qmargin.UserInputException;
import io.qmargin.data.Seeds;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * An immutable list of utterances with speaker labels. Speakers are numbered by name: the sorted
 * distinct speaker names get labels 0..S-1, so the same set of speakers always gets the same labels
 * whatever order the files were listed in. Utterances keep the order their source listed them in
 * (wav.scp order; name order for folder layouts).
 *
 * <p>Readers: {@link KaldiDataDir} (wav.scp + utt2spk), {@link SpeakerFolders} (VoxCeleb and
 * generic per-speaker folders), {@link Fsdd}, {@link DebianSpeech}; {@link SpeechSources#discover}
 * finds what a machine has.
 *
 * <p>Splits are deterministic given their seed: {@link #splitBySpeakers} holds out whole speakers
 * (open-set verification), {@link #splitByUtterances} holds out some utterances of every speaker
 * (closed-set; both parts keep this corpus's speaker labels).
 */
public final class SpeechCorpus {
  private static final long SPEAKER_SPLIT = 0x5350_4B52L;
  private static final long UTTERANCE_SPLIT = 0x5554_5452L;

  private final List<Utterance> utterances;
  private final List<String> speakers;
  private final Map<String, Integer> speakerIndex;
  private final int[] labels;
  private final String description;

  private SpeechCorpus(List<Utterance> utterances, List<String> speakers, String description) {
    this.utterances = List.copyOf(utterances);
    this.speakers = List.copyOf(speakers);
    this.description = description;
    this.speakerIndex = new HashMap<>();
    for (int i = 0; i < this.speakers.size(); i++) {
      speakerIndex.put(this.speakers.get(i), i);
    }
    this.labels = new int[this.utterances.size()];
    Map<String, Integer> ids = new HashMap<>();
    for (int i = 0; i < labels.length; i++) {
      Utterance u = this.utterances.get(i);
      Integer previous = ids.putIfAbsent(u.id(), i);
      if (previous != null) {
        throw new UserInputException(
            description
                + ": utterance id '"
                + u.id()
                + "' occurs twice ("
                + this.utterances.get(previous).path()
                + " and "
                + u.path()
                + ")");
      }
      Integer label = speakerIndex.get(u.speaker());
      if (label == null) {
        throw new IllegalArgumentException(
            "speaker " + u.speaker() + " of " + u.id() + " is not in the speaker list");
      }
      labels[i] = label;
    }
  }

  /**
   * A corpus of the given utterances; speakers are their sorted distinct names. {@code description}
   * names the source in messages and summaries (e.g. "data/train (Kaldi)").
   */
  public static SpeechCorpus of(List<Utterance> utterances, String description) {
    TreeSet<String> names = new TreeSet<>();
    for (Utterance u : utterances) {
      names.add(u.speaker());
    }
    return new SpeechCorpus(utterances, List.copyOf(names), description);
  }

  /** The union of several corpora (utterance ids must stay unique: see {@link #prefixed}). */
  public static SpeechCorpus concat(Collection<SpeechCorpus> parts, String description) {
    List<Utterance> all = new ArrayList<>();
    for (SpeechCorpus c : parts) {
      all.addAll(c.utterances);
    }
    return of(all, description);
  }

  /**
   * This corpus with {@code prefix + "/"} put before every utterance id and speaker name, so that
   * corpora from different sources can be joined without clashes ("fsdd/george").
   */
  public SpeechCorpus prefixed(String prefix) {
    List<Utterance> out = new ArrayList<>(utterances.size());
    for (Utterance u : utterances) {
      out.add(new Utterance(prefix + "/" + u.id(), u.path(), prefix + "/" + u.speaker()));
    }
    List<String> names = speakers.stream().map(s -> prefix + "/" + s).toList();
    return new SpeechCorpus(out, names, description);
  }

  public int size() {
    return utterances.size();
  }

  public Utterance utterance(int index) {
    return utterances.get(index);
  }

  public List<Utterance> utterances() {
    return utterances;
  }

  /** Speaker names; label i is {@code speakers().get(i)}. */
  public List<String> speakers() {
    return speakers;
  }

  public int numSpeakers() {
    return speakers.size();
  }

  /** The speaker label (0..S-1) of utterance {@code index}. */
  public int label(int index) {
    return labels[index];
  }

  /** The label of a speaker name. */
  public int speakerIndex(String speaker) {
    Integer i = speakerIndex.get(speaker);
    if (i == null) {
      throw new IllegalArgumentException("no speaker '" + speaker + "' in " + description);
    }
    return i;
  }

  /** Number of utterances of each speaker, by label. */
  public int[] utterancesPerSpeaker() {
    int[] counts = new int[speakers.size()];
    for (int l : labels) {
      counts[l]++;
    }
    return counts;
  }

  /** Where the corpus came from, for messages. */
  public String description() {
    return description;
  }

  /** "6 speakers, 3000 utterances". */
  public String summary() {
    return speakers.size()
        + " speaker"
        + (speakers.size() == 1 ? "" : "s")
        + ", "
        + utterances.size()
        + " utterance"
        + (utterances.size() == 1 ? "" : "s");
  }

  @Override
  public String toString() {
    return description + ": " + summary();
  }

  /**
   * Holds out {@code heldOutSpeakers} whole speakers, chosen from (seed) alone: the sorted speaker
   * names are shuffled and the first ones are held out. Each part numbers its own speakers 0..n-1.
   */
  public CorpusSplit splitBySpeakers(int heldOutSpeakers, long seed) {
    int s = speakers.size();
    if (heldOutSpeakers < 1 || heldOutSpeakers >= s) {
      throw new UserInputException(
          "cannot hold out "
              + heldOutSpeakers
              + " of the "
              + s
              + " speakers of "
              + description
              + ": give a number from 1 to "
              + (s - 1));
    }
    List<String> order = new ArrayList<>(speakers);
    shuffle(order, new SplittableRandom(Seeds.mix(seed, SPEAKER_SPLIT, 0)));
    Set<String> held = new HashSet<>(order.subList(0, heldOutSpeakers));
    List<Utterance> train = new ArrayList<>();
    List<Utterance> test = new ArrayList<>();
    for (Utterance u : utterances) {
      (held.contains(u.speaker()) ? test : train).add(u);
    }
    String tag = " (speaker split, seed " + seed + ")";
    return new CorpusSplit(
        of(train, description + ", training speakers" + tag),
        of(test, description + ", held-out speakers" + tag));
  }

  /**
   * Holds out about {@code heldOutFraction} of every speaker's utterances: per speaker,
   * round(fraction × n) of its n utterances, but at most n - 1, so every speaker keeps at least one
   * training utterance (a speaker with a single utterance is only in the training part). The choice
   * depends on (seed, speaker name, the speaker's utterance ids) only, not on the listing order or
   * on the other speakers. Both parts keep this corpus's speaker list and labels.
   */
  public CorpusSplit splitByUtterances(double heldOutFraction, long seed) {
    if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
      throw new UserInputException("held-out fraction must be in (0, 1), got " + heldOutFraction);
    }
    Map<String, List<String>> idsBySpeaker = new LinkedHashMap<>();
    for (Utterance u : utterances) {
      idsBySpeaker.computeIfAbsent(u.speaker(), k -> new ArrayList<>()).add(u.id());
    }
    Set<String> held = new HashSet<>();
    for (Map.Entry<String, List<String>> e : idsBySpeaker.entrySet()) {
      List<String> ids = new ArrayList<>(e.getValue());
      ids.sort(null);
      int n = ids.size();
      int k = (int) Math.min(n - 1, Math.round(heldOutFraction * n));
      shuffle(ids, new SplittableRandom(Seeds.mix(seed, UTTERANCE_SPLIT, e.getKey().hashCode())));
      held.addAll(ids.subList(0, k));
    }
    return partition(
        u -> held.contains(u.id()),
        " (utterance split " + heldOutFraction + ", seed " + seed + ")");
  }

  /**
   * Splits by a rule ({@code heldOut} true: the held-out part); both parts keep this corpus's
   * speaker list and labels. E.g. {@link Fsdd#officialSplit}.
   */
  public CorpusSplit partition(Predicate<Utterance> heldOut, String how) {
    List<Utterance> train = new ArrayList<>();
    List<Utterance> test = new ArrayList<>();
    for (Utterance u : utterances) {
      (heldOut.test(u) ? test : train).add(u);
    }
    return new CorpusSplit(
        new SpeechCorpus(train, speakers, description + ", training part" + how),
        new SpeechCorpus(test, speakers, description + ", held-out part" + how));
  }

  private static <T> void shuffle(List<T> list, SplittableRandom rnd) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }
}

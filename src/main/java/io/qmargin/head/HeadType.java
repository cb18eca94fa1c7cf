package io.qmargin.head;

import com.fasterxml.jackson.annotation.JsonValue;
import io.qmargin.EnumWords;

/**
 * The kinds of classification head ({@code head.type} of a config; see {@link HeadSettings}), spelt
 * in lower case as in the config ({@link EnumWords}).
 */
public enum HeadType {
  /** All B × C cosines; any loss; small C. */
  DENSE,
  /** Exact, streamed candidates with a certificate; alpha &gt; 1 losses; millions of classes. */
  SPARSE,
  /** Sampled classes, approximate; any loss. */
  PARTIAL_FC;

  @JsonValue
  @Override
  public String toString() {
    return EnumWords.word(this);
  }
}

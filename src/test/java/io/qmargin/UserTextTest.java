package io.qmargin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UserTextTest {
  @Test
  void quotedValuesAreShortenedToEightyCharactersAndEscaped() {
    assertThat(UserText.quoted("0.5")).isEqualTo("'0.5'");
    assertThat(UserText.quoted("y".repeat(10_000_000)))
        .isEqualTo("'" + "y".repeat(80) + "… (10000000 characters)'");
    // ESC [ 2 J (clear screen), BEL, tab, newline, BOM, zero-width space
    assertThat(UserText.quoted("\u001b[2J\u0007a\tb\nc\uFEFFd\u200Be"))
        .isEqualTo("'\\u001B[2J\\u0007a\\tb\\nc\\uFEFFd\\u200Be'");
  }

  @Test
  void messagesKeepTheirLineBreaksButNoOtherControlCharacter() {
    assertThat(UserText.forTerminal("a.txt:3: bad\nhint \u001b]0;title\u0007"))
        .isEqualTo("a.txt:3: bad\nhint \\u001B]0;title\\u0007");
    String cut = UserText.forTerminal("z".repeat(5000));
    assertThat(cut).startsWith("z".repeat(2000) + "…").hasSizeLessThan(2100);
  }
}

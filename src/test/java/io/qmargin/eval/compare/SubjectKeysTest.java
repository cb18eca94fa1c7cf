package io.qmargin.eval.compare;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SubjectKeysTest {
  @Test
  void subjectIsTheFirstPathPartOrTheNameBeforeTheImageNumber() {
    assertThat(SubjectKeys.ruleSubject("id10001/1zcIwhmdeo4/00001.wav")).isEqualTo("id10001");
    assertThat(SubjectKeys.ruleSubject("Aaron_Peirsol_0001.jpg")).isEqualTo("Aaron_Peirsol");
    assertThat(SubjectKeys.ruleSubject("Aaron_Peirsol_0002")).isEqualTo("Aaron_Peirsol");
    assertThat(SubjectKeys.ruleSubject("spk7")).isEqualTo("spk7");
    assertThat(SubjectKeys.ruleSubject("_12")).isEqualTo("_12");
  }
}

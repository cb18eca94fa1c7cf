package io.qmargin.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingTasksTest {

  @Test
  void aSpeakerTaskRefusesTheFaceValidationProtocolsWhenTheConfigIsRead() {
    for (String face : new String[] {"synthetic", "lfw", "bin"}) {
      assertThatThrownBy(
              () ->
                  ConfigLoader.load(
                      (Path) null,
                      List.of("task=speaker", "data.type=found", "validation.type=" + face)))
          .isInstanceOf(UserInputException.class)
          .hasMessage(
              "--set validation.type="
                  + face
                  + ": validation.type "
                  + face
                  + " is a face protocol; task speaker "
                  + "takes auto (all pairs of held-out utterances) or none");
    }
  }

  @Test
  void aDataTypeOfTheOtherTaskIsRefusedBeforeAnyDataIsOpenedNamingTheTasksTypes() {
    TrainConfig speaker = ConfigLoader.load((Path) null, List.of("task=speaker"));
    assertThatThrownBy(() -> TrainingTasks.create(speaker, Map.of()))
        .isInstanceOf(UserInputException.class)
        .hasMessage(
            "data.type must be one of found, fsdd, kaldi, voxceleb, folders for task speaker; got 'synthetic'");
    TrainConfig face =
        ConfigLoader.load((Path) null, List.of("data.type=kaldi", "data.path=/no/such/dir"));
    assertThatThrownBy(() -> TrainingTasks.create(face, Map.of()))
        .isInstanceOf(UserInputException.class)
        .hasMessage(
            "data.type must be one of synthetic, folder, recordio, lfw for task face; got 'kaldi'");
    // the task's own types bind in any case, and the task opens them
    TrainConfig c =
        ConfigLoader.load(
            (Path) null, List.of("task=SPEAKER", "data.type=Kaldi", "data.path=/no/such/dir"));
    assertThat(c.task()).isEqualTo(TrainConfig.Task.SPEAKER);
    assertThat(c.data().type()).isEqualTo(TrainConfig.DataType.KALDI);
    assertThatThrownBy(() -> TrainingTasks.create(c, Map.of()))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("/no/such/dir");
  }
}

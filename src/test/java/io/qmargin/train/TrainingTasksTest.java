package io.qmargin.train;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingTasksTest {

  @Test
  void aSpeakerTaskRefusesTheFaceValidationProtocols() {
    for (String face : new String[] {"synthetic", "lfw", "bin"}) {
      TrainConfig c = ConfigLoader.load((Path) null, List.of("task=speaker", "data.type=found", "validation.type=" + face));
      assertThatThrownBy(() -> TrainingTasks.create(c, Map.of())).isInstanceOf(UserInputException.class)
          .hasMessage("validation.type " + face + " is a face protocol; task speaker takes auto (all pairs of held-out "
              + "utterances) or none");
    }
  }
}

package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class UserErrorHandlerTest {
  @Test
  void fileSystemErrorsNameTheirFileAndOthersTheirKind() {
    assertThat(UserErrorHandler.describe(new AccessDeniedException("/data/out/model.params"))).isEqualTo("/data/out/model.params: permission denied");
    assertThat(UserErrorHandler.describe(new NoSuchFileException("/data/x.npy"))).isEqualTo("/data/x.npy: no such file or directory");
    assertThat(UserErrorHandler.describe(new FileSystemException("/data/d", null, "Is a directory"))).isEqualTo("/data/d: Is a directory");
    assertThat(UserErrorHandler.describe(new java.nio.file.FileAlreadyExistsException("/data/out")))
        .isEqualTo("/data/out: already exists (a file where a folder is needed?)");
    assertThat(UserErrorHandler.describe(new ConnectException())).isEqualTo("ConnectException");
    assertThat(UserErrorHandler.describe(new IOException("cannot download http://host/x.tgz: cannot connect")))
        .isEqualTo("cannot download http://host/x.tgz: cannot connect");
  }
}

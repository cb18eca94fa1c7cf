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
    assertThat(
            io.qmargin.io.FileErrors.describe(new AccessDeniedException("/data/out/model.params")))
        .isEqualTo("/data/out/model.params: permission denied");
    assertThat(io.qmargin.io.FileErrors.describe(new NoSuchFileException("/data/x.npy")))
        .isEqualTo("/data/x.npy: no such file or directory");
    assertThat(
            io.qmargin.io.FileErrors.describe(
                new FileSystemException("/data/d", null, "Is a directory")))
        .isEqualTo("/data/d: Is a directory");
    assertThat(
            io.qmargin.io.FileErrors.describe(
                new java.nio.file.FileAlreadyExistsException("/data/out")))
        .isEqualTo("/data/out: already exists (a file where a folder is needed?)");
    assertThat(io.qmargin.io.FileErrors.describe(new ConnectException()))
        .isEqualTo("ConnectException");
    assertThat(
            io.qmargin.io.FileErrors.describe(
                new IOException("cannot download http://host/x.tgz: cannot connect")))
        .isEqualTo("cannot download http://host/x.tgz: cannot connect");
  }

  @picocli.CommandLine.Command(name = "failing")
  static final class Failing implements java.util.concurrent.Callable<Integer> {
    Exception failure;

    @Override
    public Integer call() throws Exception {
      throw failure;
    }
  }

  private static String[] run(Exception failure) {
    Failing f = new Failing();
    f.failure = failure;
    picocli.CommandLine cl = new picocli.CommandLine(f);
    cl.setExecutionExceptionHandler(new UserErrorHandler());
    java.io.StringWriter err = new java.io.StringWriter();
    cl.setErr(new java.io.PrintWriter(err, true));
    return new String[] {String.valueOf(cl.execute()), err.toString()};
  }

  @Test
  void onlyAUserInputExceptionIsOneLine() {
    String[] user = run(new io.qmargin.UserInputException("/data/x.npy: not a .npy file"));
    assertThat(user[0]).isEqualTo("2");
    assertThat(user[1])
        .isEqualTo("qmargin failing: error: /data/x.npy: not a .npy file" + System.lineSeparator());
    for (Exception other :
        new Exception[] {
          new IllegalArgumentException("a bug's message"),
          new IOException("disk on fire"),
          new NoSuchFileException("/data/y")
        }) {
      String[] r = run(other);
      assertThat(r[0]).as(other.toString()).isEqualTo("1");
      assertThat(r[1]).as(other.toString()).contains(other.getClass().getName()).contains("\tat ");
    }
  }
}

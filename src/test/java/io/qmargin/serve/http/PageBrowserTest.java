package io.qmargin.serve.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import io.qmargin.serve.ImageSizeGuard;
import io.qmargin.serve.OperatingPoint;
import io.qmargin.serve.store.Scope;
import io.qmargin.serve.store.TemplateStore;
import io.qmargin.serve.store.TemplateStores;
import io.qmargin.train.TrainedModel;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in a real headless browser (Debian's chromium driven through chromedriver; nothing is
 * downloaded): connect with a key, see the operating point and the evaluation's plots, enrol from
 * uploaded photos, verify (score against threshold, decision), identify, and see a refusal.
 */
class PageBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  static WebDriver browser(Path profile) {
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM.toFile());
    o.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    return new ChromeDriver(service, o);
  }

  @Test
  void aPersonEnrolsVerifiesAndIdentifiesOnThePage(@TempDir Path dir) throws Exception {
    assumeTrue(
        Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
        "skipped: the browser test needs /usr/bin/chromium and /usr/bin/chromedriver"
            + " (Debian packages chromium and chromium-driver)");
    Path figures = Files.createDirectories(dir.resolve("eval"));
    for (String f : List.of("roc", "det")) {
      ImageIO.write(
          new BufferedImage(60, 40, BufferedImage.TYPE_INT_RGB),
          "png",
          figures.resolve(f + ".png").toFile());
    }
    Path photos = Files.createDirectories(dir.resolve("photos"));
    for (int s : new int[] {1, 2, 3}) {
      Files.write(photos.resolve("face" + s + ".png"), TinyFaceModel.png(s));
    }
    Files.writeString(photos.resolve("notes.txt"), "not a photo");
    OperatingPoint point =
        new OperatingPoint("m", 1e-4, 0.62, 9e-5, 0.8, 0.75, 0.85, 40000, 900, "eval");
    try (NDManager manager = NDManager.newBaseManager();
        TemplateStore store = TemplateStores.open(dir.resolve("db").toString(), "m", 16)) {
      SampleEmbedder embedder =
          new SampleEmbedder(
              TrainedModel.load(TinyFaceModel.run(), manager),
              manager,
              new ImageSizeGuard(1_000_000));
      String key = store.keys().create("page", Set.of(Scope.ENROL, Scope.VERIFY));
      try (VerificationServer server =
          new VerificationServer(
                  store, embedder, point, ServeSettings.localhost(0).withFigures(figures))
              .start()) {
        WebDriver web = browser(Files.createDirectories(dir.resolve("profile")));
        try {
          WebDriverWait wait = new WebDriverWait(web, Duration.ofSeconds(30));
          web.get(server.url() + "/");
          web.findElement(By.id("api-key")).sendKeys(key);
          web.findElement(By.id("connect-button")).click();
          wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("enrol")));
          assertThat(web.findElement(By.id("threshold")).getText()).isEqualTo("0.620000");
          assertThat(web.findElement(By.id("far")).getText())
              .startsWith("9.00e-5 (target 1.00e-4, 40000 impostor trials)");
          wait.until(d -> d.findElements(By.cssSelector("#figures img")).size() == 2);
          for (String f : List.of("roc", "det")) {
            WebElement img = web.findElement(By.id("figure-" + f));
            wait.until(
                d ->
                    ((Number)
                                ((org.openqa.selenium.JavascriptExecutor) d)
                                    .executeScript("return arguments[0].naturalWidth", img))
                            .intValue()
                        == 60);
          }

          web.findElement(By.id("enrol-subject")).sendKeys("ada");
          web.findElement(By.id("enrol-files"))
              .sendKeys(photos.resolve("face1.png") + "\n" + photos.resolve("face2.png"));
          web.findElement(By.id("enrol-button")).click();
          wait.until(
              ExpectedConditions.textToBe(By.id("enrol-result"), "enrolled ada with 2 sample(s)"));
          assertThat(store.find("ada").orElseThrow().sampleIds()).hasSize(2);

          web.findElement(By.id("verify-subject")).sendKeys("ada");
          web.findElement(By.id("verify-file")).sendKeys(photos.resolve("face3.png").toString());
          web.findElement(By.id("verify-button")).click();
          WebElement decision =
              wait.until(ExpectedConditions.presenceOfElementLocated(By.id("verify-decision")));
          double score = Double.parseDouble(decision.getAttribute("data-score"));
          double expected =
              store.score("ada", embedder.embed(TinyFaceModel.png(3), "p")).orElseThrow();
          assertThat(score).isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-9));
          assertThat(decision.getText())
              .startsWith(score >= 0.62 ? "accept" : "reject")
              .contains("against threshold 0.6200");
          assertThat(web.findElements(By.cssSelector("#verify-result .bar .threshold"))).hasSize(1);

          web.findElement(By.id("identify-file")).sendKeys(photos.resolve("face1.png").toString());
          web.findElement(By.id("identify-button")).click();
          wait.until(
              d -> !d.findElements(By.cssSelector("#identify-result tr.candidate")).isEmpty());
          assertThat(web.findElement(By.cssSelector("#identify-result tr.candidate td")).getText())
              .isEqualTo("ada");

          web.findElement(By.id("verify-subject")).clear();
          web.findElement(By.id("verify-subject")).sendKeys("nobody");
          web.findElement(By.id("verify-button")).click();
          wait.until(ExpectedConditions.textToBe(By.id("message"), "no subject 'nobody'"));
          web.findElement(By.id("verify-subject")).clear();
          web.findElement(By.id("verify-subject")).sendKeys("ada");
          web.findElement(By.id("verify-file")).sendKeys(photos.resolve("notes.txt").toString());
          web.findElement(By.id("verify-button")).click();
          wait.until(
              ExpectedConditions.textMatches(
                  By.id("message"),
                  java.util.regex.Pattern.compile(".*notes\\.txt.*not an image.*")));
        } finally {
          web.quit();
        }
      }
    }
  }
}

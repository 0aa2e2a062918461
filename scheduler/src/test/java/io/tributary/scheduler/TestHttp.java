package io.tributary.scheduler;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * GET for the ITs' HTTP checks (metrics, health), over HTTP/1.1 and with a hard deadline: JDK 17's client once hung
 * in {@code send} well past its request timeout in {@code SchedulerApiIT}, which would hold a CI run to its limit.
 */
public final class TestHttp {
  private TestHttp() {
  }

  /** The body of {@code url}; throws (so a poll retries) on a failure or after 20 s. */
  public static String get(String url) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build();
    try {
      return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
          .sendAsync(request, HttpResponse.BodyHandlers.ofString()).get(20, TimeUnit.SECONDS).body();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("GET " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

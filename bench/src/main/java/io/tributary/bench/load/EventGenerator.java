package io.tributary.bench.load;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.SplittableRandom;

/**
 * Realistic click events as JSON (~250 bytes, 10 typed fields), deterministic for a seed, with
 * malformed records injected at an exact ratio. A plain class with no dependencies: the CLI's
 * {@code produce}, the demo and the benchmark use it.
 *
 * <p>A good event matches {@code examples/clicks.yaml}:
 * <pre>{"event_id":"e0000000000000042-5f3a9c1d","user":{"id":1234567,"country":"DE"},
 * "ts":"2026-01-01T12:00:00.123Z","amount":123.45,"session":98765,"price":19.99,"is_mobile":true,
 * "day":"2026-01-01","attrs":{"ref":"newsletter","ab":"B","clicks":3},"url":"https://shop.example.com/p/1234?utm=email"}</pre>
 *
 * <p>Bad records (each is a dead letter for that table) rotate through three kinds:
 * {@link Kind#INVALID_JSON} (truncated document), {@link Kind#TYPE_MISMATCH} ({@code session} is a
 * string) and {@link Kind#MISSING_EVENT_ID} (the required {@code event_id} is absent). Record
 * {@code i} (0-based) is bad exactly when {@code floor((i+1)*ratio) > floor(i*ratio)}, so the first
 * {@code n} records hold exactly {@code floor(n*ratio)} bad ones, evenly spread.
 *
 * <p>Not thread-safe; use one per producing thread.
 */
public final class EventGenerator {

  /** What a generated record is. */
  public enum Kind {
    GOOD, INVALID_JSON, TYPE_MISMATCH, MISSING_EVENT_ID;

    public boolean bad() {
      return this != GOOD;
    }
  }

  /**
   * One generated record.
   *
   * @param index     0-based position in the generated sequence
   * @param key       Kafka key (the user id, UTF-8)
   * @param value     Kafka value (UTF-8 JSON, or malformed text)
   * @param kind      good or which kind of bad
   * @param timestamp the event time written into {@code ts} (epoch ms)
   */
  public record Event(long index, byte[] key, byte[] value, Kind kind, long timestamp) {
  }

  private static final String[] COUNTRIES = {"US", "DE", "FR", "GB", "JP", "BR", "IN", "CN", "ES", "IT", "NL", "SE",
      "CA", "AU", "MX", "KR"};
  private static final String[] REFS = {"newsletter", "search", "direct", "social", "partner", "ads"};
  private static final String[] PATHS = {"/p/", "/c/", "/cart/", "/search?q=", "/checkout/", "/account/"};
  private static final String[] UTMS = {"email", "cpc", "organic", "display", "affiliate"};
  private static final Kind[] BAD_KINDS = {Kind.INVALID_JSON, Kind.TYPE_MISMATCH, Kind.MISSING_EVENT_ID};

  private final SplittableRandom random;
  private final double badRatio;
  private final long seed;
  private final ClickEncoding encoding;
  private final StringBuilder sb = new StringBuilder(320);
  private long index;
  private long badCount;

  /**
   * @param seed     seeds every random choice (same seed, same events except the timestamps)
   * @param badRatio fraction of malformed records, 0 to 1
   */
  public EventGenerator(long seed, double badRatio) {
    this(seed, badRatio, null);
  }

  /**
   * Events encoded by {@code encoding} (Avro or Protobuf in the schema-registry wire format) instead of
   * JSON; the same seed draws the same field values.
   */
  public EventGenerator(long seed, double badRatio, ClickEncoding encoding) {
    this.encoding = encoding;
    if (!(badRatio >= 0 && badRatio <= 1)) {
      throw new IllegalArgumentException("bad ratio must be between 0 and 1, got " + badRatio);
    }
    this.random = new SplittableRandom(seed);
    this.badRatio = badRatio;
    this.seed = seed;
  }

  /** True if record {@code i} of a sequence with this ratio is malformed. */
  public static boolean isBad(long i, double ratio) {
    return ratio > 0 && (long) Math.floor((i + 1) * ratio) > (long) Math.floor(i * ratio);
  }

  /** How many of the first {@code n} records are malformed at this ratio. */
  public static long badCount(long n, double ratio) {
    return ratio <= 0 ? 0 : (long) Math.floor(n * ratio);
  }

  /** Records generated so far. */
  public long generated() {
    return index;
  }

  /** Malformed records generated so far. */
  public long badGenerated() {
    return badCount;
  }

  /** The next event, stamped with the current time. */
  public Event next() {
    return next(System.currentTimeMillis());
  }

  /**
   * The field values of one click event, as drawn; {@link #next(long)} renders them as JSON, a
   * {@link ClickEncoding} as Avro or Protobuf. {@code eventId} is null for a record missing it.
   */
  public record Click(String eventId, long userId, String country, long tsMillis, long amountCents, int session,
      double price, boolean isMobile, long epochDay, String ref, String ab, int clicks, String url) {
  }

  /** The next event with event time {@code nowMillis}. */
  public Event next(long nowMillis) {
    long i = index++;
    Kind kind = Kind.GOOD;
    if (isBad(i, badRatio)) {
      kind = BAD_KINDS[(int) (badCount++ % BAD_KINDS.length)];
    }
    long userId = 1 + random.nextLong(5_000_000);
    String eventId = null;
    if (kind != Kind.MISSING_EVENT_ID) {
      sb.setLength(0);
      sb.append('e');
      pad(sb, i, 16);
      sb.append('-');
      String h = Long.toHexString(mix(seed * 0x9E3779B97F4A7C15L + i + 0x632BE59BD9B4E019L));
      for (int k = h.length(); k < 8; k++) {
        sb.append('0');
      }
      sb.append(h, Math.max(0, h.length() - 8), h.length());
      eventId = sb.toString();
    }
    String country = COUNTRIES[random.nextInt(COUNTRIES.length)];
    long cents = random.nextLong(1_000_000); // up to 9999.99
    int session = random.nextInt(1_000_000);
    double price = Math.round(random.nextDouble(0.5, 500) * 100) / 100.0;
    boolean mobile = random.nextInt(10) < 6;
    String ref = REFS[random.nextInt(REFS.length)];
    String ab = random.nextBoolean() ? "A" : "B";
    int clicks = 1 + random.nextInt(20);
    String url = "https://shop.example.com" + PATHS[random.nextInt(PATHS.length)] + random.nextInt(100_000) + "?utm="
        + UTMS[random.nextInt(UTMS.length)];
    long day = Math.floorDiv(nowMillis, 86_400_000L);
    Click c = new Click(eventId, userId, country, nowMillis, cents, session, price, mobile, day, ref, ab, clicks, url);
    byte[] key = Long.toString(userId).getBytes(StandardCharsets.UTF_8);
    byte[] value = encoding == null ? json(c, kind) : encoding.encode(c, kind);
    return new Event(i, key, value, kind, nowMillis);
  }

  private byte[] json(Click c, Kind kind) {
    sb.setLength(0);
    sb.append('{');
    if (c.eventId() != null) {
      sb.append("\"event_id\":\"").append(c.eventId()).append("\",");
    }
    sb.append("\"user\":{\"id\":").append(c.userId()).append(",\"country\":\"").append(c.country()).append("\"},");
    sb.append("\"ts\":\"").append(Instant.ofEpochMilli(c.tsMillis())).append("\",");
    sb.append("\"amount\":").append(c.amountCents() / 100).append('.');
    pad(sb, c.amountCents() % 100, 2);
    sb.append(',');
    if (kind == Kind.TYPE_MISMATCH) {
      sb.append("\"session\":\"s-").append(c.session()).append("\",");
    } else {
      sb.append("\"session\":").append(c.session()).append(',');
    }
    sb.append("\"price\":").append(c.price()).append(',');
    sb.append("\"is_mobile\":").append(c.isMobile()).append(',');
    sb.append("\"day\":\"").append(LocalDate.ofEpochDay(c.epochDay())).append("\",");
    sb.append("\"attrs\":{\"ref\":\"").append(c.ref()).append("\",\"ab\":\"").append(c.ab()).append("\",\"clicks\":")
        .append(c.clicks()).append("},");
    sb.append("\"url\":\"").append(c.url()).append("\"}");
    if (kind == Kind.INVALID_JSON) {
      // cut the document in the middle of the user object: not valid JSON
      int cut = sb.indexOf("\"country\"");
      sb.setLength(cut > 0 ? cut : sb.length() / 2);
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void pad(StringBuilder b, long v, int width) {
    String s = Long.toString(v);
    for (int k = s.length(); k < width; k++) {
      b.append('0');
    }
    b.append(s);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}

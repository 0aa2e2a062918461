package io.tributary.runner.decode;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Fast ISO-8601 parsing for {@code timestamp} and {@code date} columns. */
final class TimeParsing {
    private TimeParsing() {
    }

    /**
     * Epoch millis of an ISO-8601 date-time WITH an offset ({@code Z}, {@code +02:00}, {@code -0530}).
     * Fractions beyond milliseconds are truncated.
     *
     * @throws IllegalArgumentException if the text is not such a timestamp
     */
    static long isoToEpochMillis(char[] c, int off, int len) {
        // Fast path: yyyy-MM-ddTHH:mm:ss[.f+](Z|+HH:MM|+HHMM|+HH)
        if (len >= 20 && c[off + 4] == '-' && c[off + 7] == '-' && (c[off + 10] == 'T' || c[off + 10] == 't')
                && c[off + 13] == ':' && c[off + 16] == ':') {
            int y = digits(c, off, 4);
            int mo = digits(c, off + 5, 2);
            int d = digits(c, off + 8, 2);
            int h = digits(c, off + 11, 2);
            int mi = digits(c, off + 14, 2);
            int s = digits(c, off + 17, 2);
            int i = off + 19;
            int end = off + len;
            int millis = 0;
            if (y >= 0 && mo >= 0 && d >= 0 && h >= 0 && mi >= 0 && s >= 0 && h < 24 && mi < 60 && s < 60) {
                if (i < end && c[i] == '.') {
                    i++;
                    int n = 0;
                    while (i < end && c[i] >= '0' && c[i] <= '9') {
                        if (n < 3) {
                            millis = millis * 10 + (c[i] - '0');
                        }
                        n++;
                        i++;
                    }
                    if (n == 0) {
                        throw bad(c, off, len);
                    }
                    for (int k = n; k < 3; k++) {
                        millis *= 10;
                    }
                }
                int offsetSeconds;
                if (i < end && (c[i] == 'Z' || c[i] == 'z') && i + 1 == end) {
                    offsetSeconds = 0;
                } else if (i < end && (c[i] == '+' || c[i] == '-')) {
                    int sign = c[i] == '-' ? -1 : 1;
                    int rest = end - i - 1;
                    int oh;
                    int om = 0;
                    if (rest == 2) {
                        oh = digits(c, i + 1, 2);
                    } else if (rest == 4) {
                        oh = digits(c, i + 1, 2);
                        om = digits(c, i + 3, 2);
                    } else if (rest == 5 && c[i + 3] == ':') {
                        oh = digits(c, i + 1, 2);
                        om = digits(c, i + 4, 2);
                    } else {
                        throw bad(c, off, len);
                    }
                    if (oh < 0 || om < 0 || oh > 18 || om > 59) {
                        throw bad(c, off, len);
                    }
                    offsetSeconds = sign * (oh * 3600 + om * 60);
                } else {
                    throw bad(c, off, len);
                }
                long days;
                try {
                    days = LocalDate.of(y, mo, d).toEpochDay();
                } catch (DateTimeException e) {
                    throw bad(c, off, len);
                }
                long secs = days * 86400L + h * 3600L + mi * 60L + s - offsetSeconds;
                return secs * 1000L + millis;
            }
        }
        String text = new String(c, off, len);
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw bad(c, off, len);
        }
    }

    /** Days since 1970-01-01 of a strict {@code yyyy-mm-dd}. */
    static int isoDateToEpochDay(char[] c, int off, int len) {
        if (len != 10 || c[off + 4] != '-' || c[off + 7] != '-') {
            throw new IllegalArgumentException("not a yyyy-mm-dd date: \"" + new String(c, off, len) + "\"");
        }
        int y = digits(c, off, 4);
        int m = digits(c, off + 5, 2);
        int d = digits(c, off + 8, 2);
        if (y < 0 || m < 0 || d < 0) {
            throw new IllegalArgumentException("not a yyyy-mm-dd date: \"" + new String(c, off, len) + "\"");
        }
        try {
            return (int) LocalDate.of(y, m, d).toEpochDay();
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("invalid date \"" + new String(c, off, len) + "\": " + e.getMessage());
        }
    }

    /** What the byte parsers below return for text they do not accept (no valid value is this). */
    static final long NOT_FAST = Long.MIN_VALUE;

    /**
     * {@link #isoToEpochMillis(char[], int, int)} over ASCII bytes, for its fast form only
     * ({@code yyyy-MM-ddTHH:mm:ss[.f+](Z|+HH:MM|+HHMM|+HH)}), with no objects: {@link #NOT_FAST} for anything
     * else, valid or not (the caller then asks the char version, which decides and names the error).
     */
    static long isoToEpochMillisFast(byte[] c, int off, int len) {
        if (len < 20 || c[off + 4] != '-' || c[off + 7] != '-' || (c[off + 10] != 'T' && c[off + 10] != 't')
                || c[off + 13] != ':' || c[off + 16] != ':') {
            return NOT_FAST;
        }
        int y = digits(c, off, 4);
        int mo = digits(c, off + 5, 2);
        int d = digits(c, off + 8, 2);
        int h = digits(c, off + 11, 2);
        int mi = digits(c, off + 14, 2);
        int s = digits(c, off + 17, 2);
        if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0 || h >= 24 || mi >= 60 || s >= 60) {
            return NOT_FAST;
        }
        int i = off + 19;
        int end = off + len;
        int millis = 0;
        if (c[i] == '.') {
            i++;
            int n = 0;
            while (i < end && c[i] >= '0' && c[i] <= '9') {
                if (n < 3) {
                    millis = millis * 10 + (c[i] - '0');
                }
                n++;
                i++;
            }
            if (n == 0) {
                return NOT_FAST;
            }
            for (int k = n; k < 3; k++) {
                millis *= 10;
            }
        }
        int offsetSeconds;
        if (i + 1 == end && (c[i] == 'Z' || c[i] == 'z')) {
            offsetSeconds = 0;
        } else if (i < end && (c[i] == '+' || c[i] == '-')) {
            int rest = end - i - 1;
            int oh;
            int om = 0;
            if (rest == 2) {
                oh = digits(c, i + 1, 2);
            } else if (rest == 4) {
                oh = digits(c, i + 1, 2);
                om = digits(c, i + 3, 2);
            } else if (rest == 5 && c[i + 3] == ':') {
                oh = digits(c, i + 1, 2);
                om = digits(c, i + 4, 2);
            } else {
                return NOT_FAST;
            }
            if (oh < 0 || om < 0 || oh > 18 || om > 59) {
                return NOT_FAST;
            }
            offsetSeconds = (c[i] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        } else {
            return NOT_FAST;
        }
        long days = epochDay(y, mo, d);
        if (days == NOT_FAST) {
            return NOT_FAST;
        }
        return (days * 86400L + h * 3600L + mi * 60L + s - offsetSeconds) * 1000L + millis;
    }

    /** {@link #isoDateToEpochDay(char[], int, int)} over ASCII bytes: {@link #NOT_FAST} for anything it rejects. */
    static long isoDateToEpochDayFast(byte[] c, int off, int len) {
        if (len != 10 || c[off + 4] != '-' || c[off + 7] != '-') {
            return NOT_FAST;
        }
        int y = digits(c, off, 4);
        int m = digits(c, off + 5, 2);
        int d = digits(c, off + 8, 2);
        return y < 0 || m < 0 || d < 0 ? NOT_FAST : epochDay(y, m, d);
    }

    /** {@code LocalDate.of(y, m, d).toEpochDay()} for a year 0..9999 without the object; {@link #NOT_FAST} if invalid. */
    static long epochDay(int y, int m, int d) {
        boolean leap = (y & 3) == 0 && (y % 100 != 0 || y % 400 == 0);
        if (m < 1 || m > 12 || d < 1 || d > (m == 2 ? (leap ? 29 : 28) : m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31)) {
            return NOT_FAST;
        }
        long total = 365L * y + (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400 + (367L * m - 362) / 12 + d - 1;
        if (m > 2) {
            total -= leap ? 1 : 2;
        }
        return total - 719_528L; // days from 0000-01-01 to 1970-01-01
    }

    /** Non-negative value of n ASCII digits, or -1. */
    private static int digits(byte[] c, int off, int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
            int ch = c[off + i] - '0';
            if (ch < 0 || ch > 9) {
                return -1;
            }
            v = v * 10 + ch;
        }
        return v;
    }

    /** Non-negative value of n ASCII digits, or -1. */
    private static int digits(char[] c, int off, int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
            char ch = c[off + i];
            if (ch < '0' || ch > '9') {
                return -1;
            }
            v = v * 10 + (ch - '0');
        }
        return v;
    }

    private static IllegalArgumentException bad(char[] c, int off, int len) {
        return new IllegalArgumentException("not an ISO-8601 timestamp with offset: \"" + new String(c, off, Math.min(len, 64)) + "\"");
    }
}

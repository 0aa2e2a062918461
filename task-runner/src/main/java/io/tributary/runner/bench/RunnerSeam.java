package io.tributary.runner.bench;

import io.tributary.catalog.TableDefinition;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.Map;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.schema.MessageType;

/**
 * The bench's handle on the runner's own data-path classes ({@code JsonRowDecoder},
 * {@code PartitionBuffer}, {@code RowSchema}, {@code PartSchema}, {@code ParquetPartWriter}), which
 * are package-private in {@code io.tributary.runner}. Reached through method handles (resolved once,
 * held in static finals, so the JIT inlines them like direct calls): the ceiling measures exactly
 * the code the runner runs, without widening the runner's API for a benchmark.
 *
 * <p>If a signature changes, {@link #check()} fails with the member that moved.
 */
final class RunnerSeam {
    private static final String PKG = "io.tributary.runner.";

    static final Class<?> ROW_SCHEMA = cls("RowSchema");
    static final Class<?> BUFFER = cls("PartitionBuffer");
    static final Class<?> DECODER = cls("JsonRowDecoder");
    static final Class<?> PART_SCHEMA = cls("PartSchema");
    static final Class<?> WRITER = cls("ParquetPartWriter");

    /** (TableDefinition) -> RowSchema */
    static final MethodHandle ROW_SCHEMA_OF = method(ROW_SCHEMA, "of", TableDefinition.class)
            .asType(MethodType.methodType(Object.class, TableDefinition.class));
    /** (RowSchema, long maxRecordBytes) -> JsonRowDecoder */
    static final MethodHandle NEW_DECODER = ctor(DECODER, ROW_SCHEMA, long.class)
            .asType(MethodType.methodType(Object.class, Object.class, long.class));
    /** (String table, int partition, RowSchema, long startOffset, long generation, int capacity) -> PartitionBuffer */
    static final MethodHandle NEW_BUFFER = ctor(BUFFER, String.class, int.class, ROW_SCHEMA, long.class, long.class, int.class)
            .asType(MethodType.methodType(Object.class, String.class, int.class, Object.class, long.class, long.class,
                    int.class));
    /** decoder.decode(byte[], PartitionBuffer) -> String error or null */
    static final MethodHandle DECODE = method(DECODER, "decode", byte[].class, BUFFER)
            .asType(MethodType.methodType(String.class, Object.class, byte[].class, Object.class));
    /** buffer.endRow(long offset, long timestamp, byte[] key, int valueBytes) */
    static final MethodHandle END_ROW = method(BUFFER, "endRow", long.class, long.class, byte[].class, int.class)
            .asType(MethodType.methodType(void.class, Object.class, long.class, long.class, byte[].class, int.class));
    /** buffer.rows() */
    static final MethodHandle ROWS = method(BUFFER, "rows")
            .asType(MethodType.methodType(int.class, Object.class));
    /** buffer.bytes() */
    static final MethodHandle BUFFER_BYTES = method(BUFFER, "bytes")
            .asType(MethodType.methodType(long.class, Object.class));
    /** PartSchema.of(String table, RowSchema) -> MessageType */
    static final MethodHandle PART_SCHEMA_OF = method(PART_SCHEMA, "of", String.class, ROW_SCHEMA)
            .asType(MethodType.methodType(MessageType.class, String.class, Object.class));
    /** new ParquetPartWriter(CompressionCodecFactory, CompressionCodecName, long rowGroupBytes) */
    static final MethodHandle NEW_WRITER = ctor(WRITER, CompressionCodecFactory.class, CompressionCodecName.class, long.class)
            .asType(MethodType.methodType(Object.class, CompressionCodecFactory.class, CompressionCodecName.class,
                    long.class));
    /** writer.write(PartitionBuffer, MessageType, OutputFile, Map) -> Written */
    static final MethodHandle WRITE = method(WRITER, "write", BUFFER, MessageType.class, OutputFile.class, Map.class)
            .asType(MethodType.methodType(Object.class, Object.class, Object.class, MessageType.class, OutputFile.class,
                    Map.class));

    private RunnerSeam() {
    }

    /** Forces class init: every handle resolved or an error naming the member. */
    static void check() {
        // static init did the work
    }

    private static Class<?> cls(String simple) {
        try {
            return Class.forName(PKG + simple);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the runner class " + PKG + simple + " is not on the classpath", e);
        }
    }

    private static MethodHandle method(Class<?> c, String name, Class<?>... params) {
        try {
            Method m = c.getDeclaredMethod(name, params);
            m.setAccessible(true);
            return MethodHandles.lookup().unreflect(m);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the runner changed: " + c.getName() + "." + name + " not found: " + e, e);
        }
    }

    private static MethodHandle ctor(Class<?> c, Class<?>... params) {
        try {
            Constructor<?> k = c.getDeclaredConstructor(params);
            k.setAccessible(true);
            return MethodHandles.lookup().unreflectConstructor(k);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the runner changed: constructor of " + c.getName() + " not found: " + e, e);
        }
    }
}

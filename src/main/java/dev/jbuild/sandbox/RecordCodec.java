package dev.jbuild.sandbox;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bytes of the agent protocol's requests and answers: records of this package, with strings, booleans,
 * ints, longs, enums, lists and maps in them, each value tagged with its kind. Written for the agent's start:
 * Java serialization spun method handles for every record class before the first request was read (~0.1 s of
 * a cold agent JVM), while this reads each record's components and calls its canonical constructor, so a
 * record's checks run as for any other caller.
 *
 * <p>Only records and enums of this package are made from the bytes; strings are kept as UTF-16 units, so a
 * name that is not valid Unicode comes through unchanged. Lists and maps come back unmodifiable, a map in the
 * order it was written.
 */
final class RecordCodec {
    private static final byte NULL = 0;
    private static final byte FALSE = 1;
    private static final byte TRUE = 2;
    private static final byte INT = 3;
    private static final byte LONG = 4;
    private static final byte STRING = 5;
    private static final byte LIST = 6;
    private static final byte MAP = 7;
    private static final byte ENUM = 8;
    private static final byte RECORD = 9;
    private static final String PACKAGE = RecordCodec.class.getPackageName() + ".";

    private RecordCodec() {
    }

    static byte[] encode(Record value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        DataOutputStream out = new DataOutputStream(bytes);
        write(out, value);
        out.flush();
        return bytes.toByteArray();
    }

    /** Reads a {@code type}; the exception's message says what is wrong with the bytes (never null). */
    static <T extends Record> T decode(byte[] bytes, Class<T> type) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        Object value;
        try {
            value = read(in, bytes.length);
        } catch (EOFException e) {
            throw new IOException("it ends in the middle of a value", e);
        }
        if (!type.isInstance(value)) {
            throw new IOException("it holds " + (value == null ? "nothing" : value.getClass().getName()) + ", not "
                    + type.getName());
        }
        if (in.available() > 0) {
            throw new IOException(in.available() + " bytes follow the " + type.getSimpleName());
        }
        return type.cast(value);
    }

    private static void write(DataOutputStream out, Object value) throws IOException {
        if (value == null) {
            out.writeByte(NULL);
        } else if (value instanceof Boolean b) {
            out.writeByte(b ? TRUE : FALSE);
        } else if (value instanceof Integer i) {
            out.writeByte(INT);
            out.writeInt(i);
        } else if (value instanceof Long l) {
            out.writeByte(LONG);
            out.writeLong(l);
        } else if (value instanceof String s) {
            out.writeByte(STRING);
            writeString(out, s);
        } else if (value instanceof List<?> list) {
            out.writeByte(LIST);
            out.writeInt(list.size());
            for (Object item : list) {
                write(out, item);
            }
        } else if (value instanceof Map<?, ?> map) {
            out.writeByte(MAP);
            out.writeInt(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                write(out, e.getKey());
                write(out, e.getValue());
            }
        } else if (value instanceof Enum<?> e) {
            out.writeByte(ENUM);
            writeString(out, ownClass(e.getDeclaringClass()).getName());
            writeString(out, e.name());
        } else if (value instanceof Record r) {
            Class<?> type = ownClass(r.getClass());
            out.writeByte(RECORD);
            writeString(out, type.getName());
            RecordComponent[] components = type.getRecordComponents();
            out.writeInt(components.length);
            for (RecordComponent c : components) {
                try {
                    write(out, c.getAccessor().invoke(r));
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new IOException("cannot read " + type.getSimpleName() + "." + c.getName() + ": " + e, e);
                }
            }
        } else {
            throw new IOException("the agent protocol has no encoding for " + value.getClass().getName());
        }
    }

    private static Class<?> ownClass(Class<?> type) throws IOException {
        if (!type.getName().startsWith(PACKAGE)) {
            throw new IOException("the agent protocol carries only records and enums of " + PACKAGE + ", not "
                    + type.getName());
        }
        return type;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        out.writeInt(s.length());
        out.writeChars(s);
    }

    /** @param limit the payload's length: no count may promise more values than there are bytes */
    private static Object read(DataInputStream in, int limit) throws IOException {
        byte tag = in.readByte();
        switch (tag) {
            case NULL:
                return null;
            case FALSE:
                return false;
            case TRUE:
                return true;
            case INT:
                return in.readInt();
            case LONG:
                return in.readLong();
            case STRING:
                return readString(in, limit);
            case LIST: {
                int n = count(in, limit);
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(read(in, limit));
                }
                return Collections.unmodifiableList(list);
            }
            case MAP: {
                int n = count(in, limit);
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    map.put(read(in, limit), read(in, limit));
                }
                return Collections.unmodifiableMap(map);
            }
            case ENUM:
                return readEnum(in, limit);
            case RECORD:
                return readRecord(in, limit);
            default:
                throw new IOException("unknown value tag " + tag);
        }
    }

    private static int count(DataInputStream in, int limit) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > limit) {
            throw new IOException("a count of " + n + " in " + limit + " bytes");
        }
        return n;
    }

    private static String readString(DataInputStream in, int limit) throws IOException {
        int n = count(in, limit / 2);
        char[] chars = new char[n];
        for (int i = 0; i < n; i++) {
            chars[i] = in.readChar();
        }
        return new String(chars);
    }

    private static Class<?> readClass(DataInputStream in, int limit) throws IOException {
        String name = readString(in, limit);
        if (!name.startsWith(PACKAGE)) {
            throw new IOException("it names " + name + ", which is not of " + PACKAGE);
        }
        try {
            return Class.forName(name, false, RecordCodec.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IOException("it names " + name + ", which this jbuild does not have", e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object readEnum(DataInputStream in, int limit) throws IOException {
        Class<?> type = readClass(in, limit);
        String name = readString(in, limit);
        if (!type.isEnum()) {
            throw new IOException(type.getName() + " is not an enum");
        }
        try {
            return Enum.valueOf((Class) type, name);
        } catch (IllegalArgumentException e) {
            throw new IOException(type.getName() + " has no " + name, e);
        }
    }

    private static Object readRecord(DataInputStream in, int limit) throws IOException {
        Class<?> type = readClass(in, limit);
        if (!type.isRecord()) {
            throw new IOException(type.getName() + " is not a record");
        }
        RecordComponent[] components = type.getRecordComponents();
        int n = in.readInt();
        if (n != components.length) {
            throw new IOException(type.getSimpleName() + " with " + n + " values for its " + components.length
                    + " components");
        }
        Class<?>[] types = new Class<?>[n];
        Object[] values = new Object[n];
        for (int i = 0; i < n; i++) {
            types[i] = components[i].getType();
            values[i] = read(in, limit);
            if (!fits(types[i], values[i])) {
                throw new IOException(type.getSimpleName() + "." + components[i].getName() + " cannot be "
                        + (values[i] == null ? "null" : "a " + values[i].getClass().getSimpleName()));
            }
        }
        try {
            Constructor<?> canonical = type.getDeclaredConstructor(types);
            return canonical.newInstance(values);
        } catch (InvocationTargetException e) {
            throw new IOException(type.getSimpleName() + " refused its values: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IOException("cannot make a " + type.getSimpleName() + ": " + e, e);
        }
    }

    /** Whether {@code value} may be passed for a component of {@code type} (generic element types are not checked). */
    private static boolean fits(Class<?> type, Object value) {
        if (type == long.class) {
            return value instanceof Long;
        } else if (type == int.class) {
            return value instanceof Integer;
        } else if (type == boolean.class) {
            return value instanceof Boolean;
        }
        return value == null || type.isInstance(value);
    }
}

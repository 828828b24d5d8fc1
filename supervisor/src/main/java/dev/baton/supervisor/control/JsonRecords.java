package dev.baton.supervisor.control;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Records to and from JSON, for {@link Json}. A record's components are looked up by reflection once, the first
 * time the record is written or read (never at class initialisation), so a CLI command pays only for the few
 * records it uses.
 */
final class JsonRecords {

    /** What a record is made of: per component its JSON key, accessor and type. */
    private record Shape(String[] keys, Method[] accessors, Type[] types, Constructor<?> constructor) {
    }

    private static final ClassValue<Shape> SHAPES = new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
            return shape(type);
        }
    };

    private JsonRecords() {
    }

    static void write(Record record, StringBuilder out) {
        Shape shape = SHAPES.get(record.getClass());
        out.append('{');
        boolean first = true;
        for (int i = 0; i < shape.keys.length; i++) {
            Object value = invoke(shape.accessors[i], record);
            if (value instanceof Optional<?> optional) {
                if (optional.isEmpty()) {
                    continue;
                }
                value = optional.get();
            }
            if (!first) {
                out.append(',');
            }
            first = false;
            Json.quote(shape.keys[i], out);
            out.append(':');
            Json.write(value, out);
        }
        out.append('}');
    }

    /** Converts a parsed JSON value into {@code type}; {@code path} names the value in error messages. */
    static Object read(Object value, Type type, String path) {
        Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType()
                : type instanceof Class<?> c ? c : null;
        if (raw == null) {
            throw new IllegalArgumentException("cannot read JSON into " + type);
        }
        if (raw == Optional.class) {
            Type element = type instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
            return Optional.ofNullable(read(value, element, path));
        }
        if (value == null) {
            if (raw.isPrimitive()) {
                throw mismatch(path, raw == boolean.class ? "true or false" : "a number", null);
            }
            return null;
        }
        if (raw == Object.class) {
            return value;
        }
        if (raw == String.class) {
            if (value instanceof String) {
                return value;
            }
            throw mismatch(path, "a string", value);
        }
        if (raw == boolean.class || raw == Boolean.class) {
            if (value instanceof Boolean) {
                return value;
            }
            throw mismatch(path, "true or false", value);
        }
        if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
            boolean integral = value instanceof Long || value instanceof Integer;
            long n = integral ? ((Number) value).longValue() : 0;
            boolean isInt = raw == int.class || raw == Integer.class;
            if (!integral || isInt && (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE)) {
                throw mismatch(path, isInt ? "a whole number (int)" : "a whole number", value);
            }
            return isInt ? (Object) (int) n : (Object) n;
        }
        if (raw == double.class || raw == Double.class) {
            if (value instanceof Number n) {
                return n.doubleValue();
            }
            throw mismatch(path, "a number", value);
        }
        if (raw.isEnum()) {
            return constant(raw, value, path);
        }
        if (raw == List.class) {
            Type element = type instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
            if (!(value instanceof List<?> list)) {
                throw mismatch(path, "an array", value);
            }
            List<Object> items = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                items.add(read(list.get(i), element, path + "[" + i + "]"));
            }
            return Collections.unmodifiableList(items);
        }
        if (raw.isRecord()) {
            if (!(value instanceof Map<?, ?> map)) {
                throw mismatch(path, "an object", value);
            }
            return record(raw, map, path);
        }
        throw new IllegalArgumentException("cannot read JSON into " + type);
    }

    private static Object record(Class<?> type, Map<?, ?> map, String path) {
        Shape shape = SHAPES.get(type);
        Object[] args = new Object[shape.keys.length];
        for (int i = 0; i < args.length; i++) {
            String key = shape.keys[i];
            if (!map.containsKey(key) && shape.types[i] instanceof Class<?> c && c.isPrimitive()) {
                throw new IllegalArgumentException(path + "." + key + ": missing");
            }
            args[i] = read(map.get(key), shape.types[i], path + "." + key);
        }
        try {
            return shape.constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException(path + ": " + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + type.getName(), e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object constant(Class<?> type, Object value, String path) {
        String expected = "one of " + Arrays.toString(type.getEnumConstants());
        if (!(value instanceof String name)) {
            throw mismatch(path, expected, value);
        }
        try {
            return Enum.valueOf((Class) type, name);
        } catch (IllegalArgumentException e) {
            throw mismatch(path, expected, value);
        }
    }

    private static IllegalArgumentException mismatch(String path, String expected, Object found) {
        String what = found == null ? "null"
                : found instanceof String s ? Json.write(s.length() > 40 ? s.substring(0, 40) + "..." : s)
                : found instanceof Map ? "an object"
                : found instanceof List ? "an array"
                : found.toString();
        return new IllegalArgumentException(path + ": expected " + expected + ", found " + what);
    }

    private static Object invoke(Method accessor, Record record) {
        try {
            return accessor.invoke(record);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read " + accessor, e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(accessor + " failed", e.getCause());
        }
    }

    private static Shape shape(Class<?> type) {
        RecordComponent[] components = type.getRecordComponents();
        int n = components.length;
        String[] keys = new String[n];
        Method[] accessors = new Method[n];
        Type[] types = new Type[n];
        Class<?>[] parameters = new Class<?>[n];
        for (int i = 0; i < n; i++) {
            RecordComponent c = components[i];
            keys[i] = snakeCase(c.getName());
            accessors[i] = c.getAccessor();
            accessors[i].trySetAccessible(); // a record nested in a non-public class (tests)
            types[i] = c.getGenericType();
            parameters[i] = c.getType();
        }
        try {
            Constructor<?> constructor = type.getDeclaredConstructor(parameters);
            constructor.trySetAccessible();
            return new Shape(keys, accessors, types, constructor);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("record without its canonical constructor: " + type.getName(), e);
        }
    }

    /** {@code uptimeMs} to {@code uptime_ms}: an underscore before each capital, which becomes lower case. */
    static String snakeCase(String name) {
        StringBuilder key = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                key.append('_').append(Character.toLowerCase(c));
            } else {
                key.append(c);
            }
        }
        return key.toString();
    }
}

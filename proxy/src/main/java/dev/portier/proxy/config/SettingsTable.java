package dev.portier.proxy.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings table, read once from the groups of {@link ProxySettings} and their {@link Key}s:
 * every value by its path ({@code group.name}), and the means to take settings apart and build them
 * from such paths, so that no code lists the values one by one.
 */
final class SettingsTable {

    /**
     * One value of the settings.
     *
     * @param path  {@code group.name}, as the accessors read: {@code timeouts.backend}
     * @param key   how it is configured; null for the values read by hand
     * @param type  its Java type, boxed
     * @param items the type of a list's items, or null
     */
    record Entry(String path, Key key, Class<?> type, Class<?> items) {

        /** The config file key, or null. */
        String fileKey() {
            return key == null ? null : key.value();
        }

        /** Refuses a value the record could not hold, naming the path; for code that sets values by hand. */
        void checkType(Object value) {
            boolean primitive = type == Integer.class || type == Boolean.class;
            if (value == null ? primitive : !type.isInstance(value)) {
                throw new IllegalArgumentException(path + " is a " + type.getSimpleName() + ", got "
                        + (value == null ? "null" : value.getClass().getSimpleName()));
            }
            if (items != null) {
                for (Object item : (Collection<?>) value) {
                    if (!items.isInstance(item)) {
                        throw new IllegalArgumentException(path + " holds " + items.getSimpleName() + "s, got "
                                + (item == null ? "null" : item.getClass().getSimpleName()));
                    }
                }
            }
        }
    }

    private record Group(String name, Constructor<?> constructor, RecordComponent[] components) {
    }

    private static final RecordComponent[] GROUPS = ProxySettings.class.getRecordComponents();
    private static final List<Group> GROUP_LIST = new ArrayList<>();
    private static final Map<String, Entry> BY_PATH = new LinkedHashMap<>();
    private static final Map<String, Entry> BY_FILE_KEY = new LinkedHashMap<>();
    private static final Map<String, Object> DEFAULTS = new LinkedHashMap<>();

    static {
        for (RecordComponent g : GROUPS) {
            Class<?> type = g.getType();
            if (!type.isRecord()) {
                throw new IllegalStateException("ProxySettings." + g.getName() + " must be a record");
            }
            RecordComponent[] components = type.getRecordComponents();
            GROUP_LIST.add(new Group(g.getName(), canonical(type, components), components));
            for (RecordComponent c : components) {
                Entry e = entry(g.getName() + "." + c.getName(), c);
                BY_PATH.put(e.path(), e);
                if (e.key() != null) {
                    if (BY_FILE_KEY.put(e.fileKey(), e) != null) {
                        throw new IllegalStateException(e.fileKey() + " is the key of two settings");
                    }
                    DEFAULTS.put(e.path(), e.key().kind().fallback(e.fileKey(), e.key().fallback()));
                }
            }
        }
    }

    private SettingsTable() {
    }

    private static Entry entry(String path, RecordComponent c) {
        Key key = c.getAnnotation(Key.class);
        Class<?> type = box(c.getType());
        if (key != null && key.kind().type != type) {
            throw new IllegalStateException(path + " holds a " + type.getSimpleName() + " but its key reads a "
                    + key.kind().type.getSimpleName());
        }
        Class<?> items = null;
        if (c.getGenericType() instanceof ParameterizedType p && Collection.class.isAssignableFrom(type)) {
            Type item = p.getActualTypeArguments()[0];
            items = item instanceof Class<?> k ? k : Object.class;
        }
        return new Entry(path, key, type, items);
    }

    private static Constructor<?> canonical(Class<?> type, RecordComponent[] components) {
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
        }
        try {
            return type.getDeclaredConstructor(types);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(type + " has no canonical constructor", e);
        }
    }

    private static Class<?> box(Class<?> type) {
        if (type == int.class) {
            return Integer.class;
        }
        if (type == boolean.class) {
            return Boolean.class;
        }
        if (type.isPrimitive()) {
            throw new IllegalStateException("settings hold int, boolean and objects, not " + type);
        }
        return type;
    }

    /** Every value, in declaration order. */
    static Collection<Entry> entries() {
        return BY_PATH.values();
    }

    /** The values read from a config file, environment variable or flag. */
    static List<Entry> keyed() {
        return BY_PATH.values().stream().filter(e -> e.key() != null).toList();
    }

    /** The entry at {@code path}; an error listing the paths when there is none. */
    static Entry entry(String path) {
        Entry e = BY_PATH.get(path);
        if (e == null) {
            throw new IllegalArgumentException("no setting " + path + "; there are " + BY_PATH.keySet());
        }
        return e;
    }

    /** The entry read from the config file key {@code name} ({@code server.workers}), or null. */
    static Entry byFileKey(String name) {
        return BY_FILE_KEY.get(name);
    }

    /** The defaults of every keyed value, by path; a fresh map the caller may change. */
    static Map<String, Object> defaults() {
        return new LinkedHashMap<>(DEFAULTS);
    }

    /** Every value of {@code settings} by path; a fresh map the caller may change. */
    static Map<String, Object> values(ProxySettings settings) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int g = 0; g < GROUPS.length; g++) {
            Object group = invoke(GROUPS[g], settings);
            for (RecordComponent c : GROUP_LIST.get(g).components()) {
                out.put(GROUP_LIST.get(g).name() + "." + c.getName(), invoke(c, group));
            }
        }
        return out;
    }

    /** Settings from a value for every path; a missing one is an error naming it. */
    static ProxySettings build(Map<String, Object> values) {
        Object[] groups = new Object[GROUP_LIST.size()];
        for (int g = 0; g < groups.length; g++) {
            Group group = GROUP_LIST.get(g);
            Object[] args = new Object[group.components().length];
            for (int i = 0; i < args.length; i++) {
                String path = group.name() + "." + group.components()[i].getName();
                if (!values.containsKey(path)) {
                    throw new IllegalArgumentException("no value for " + path);
                }
                args[i] = values.get(path);
                BY_PATH.get(path).checkType(args[i]);
            }
            groups[g] = construct(group.constructor(), args);
        }
        return (ProxySettings) construct(canonical(ProxySettings.class, GROUPS), groups);
    }

    private static Object invoke(RecordComponent c, Object target) {
        try {
            return c.getAccessor().invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName(), e);
        }
    }

    private static Object construct(Constructor<?> constructor, Object[] args) {
        try {
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r; // a compact constructor refusing a value
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + constructor.getDeclaringClass().getSimpleName(), e);
        }
    }
}

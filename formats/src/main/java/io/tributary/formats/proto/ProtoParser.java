package io.tributary.formats.proto;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parser of .proto source text (proto2 and proto3) into a {@link ProtoFile}: packages, imports,
 * messages (nested), enums, {@code repeated}/{@code optional}/{@code required} fields,
 * {@code map<K,V>}, {@code oneof}; options (including custom ones in parentheses and aggregate
 * values), {@code reserved}, {@code extensions}, {@code extend} and {@code service} blocks are parsed
 * and ignored. Type references are resolved by protobuf's scoping rules (innermost scope first; a
 * leading dot is fully qualified) against this file, the imports supplied and the built-in
 * {@link WellKnownTypes} (which need no import). Groups and editions are refused.
 *
 * <p>Errors are {@link IllegalArgumentException}s whose message starts with {@code line N: }.
 */
public final class ProtoParser {
    /** The name a file gets when none is given. */
    public static final String DEFAULT_FILE_NAME = "schema.proto";

    private static final int MAX_FIELD_NUMBER = 536_870_911;
    private static final int MAX_IMPORT_DEPTH = 32;

    private static final int IDENT = 0;
    private static final int INT = 1;
    private static final int FLOAT = 2;
    private static final int STRING = 3;
    private static final int SYM = 4;
    private static final int EOF = 5;

    private record Token(int type, String text, int line) {
    }

    private static final Object PACKAGE_SYMBOL = new Object();

    private final String fileName;
    private final List<Token> tokens;
    private int pos;
    private ProtoFile file;
    private final List<ProtoField> unresolved = new ArrayList<>();

    private ProtoParser(String fileName, String text) {
        this.fileName = fileName;
        this.tokens = lex(text);
    }

    /** Parses one self-contained .proto file (only well-known types may be imported). */
    public static ProtoFile parse(String text) {
        return parse(DEFAULT_FILE_NAME, text, Map.of());
    }

    /**
     * Parses a .proto file whose imports are supplied as import path -> source text (the well-known
     * types are built in; imports neither built in nor supplied are ignored, so using their types is an
     * unknown-type error).
     */
    public static ProtoFile parse(String text, Map<String, String> imports) {
        return parse(DEFAULT_FILE_NAME, text, imports);
    }

    /** As {@link #parse(String, Map)}, naming the file (its import path, used by descriptors). */
    public static ProtoFile parse(String fileName, String text, Map<String, String> imports) {
        if (text == null) {
            throw new IllegalArgumentException("line 1: no .proto text");
        }
        return parse(fileName, text, imports == null ? Map.of() : imports, new HashMap<>(), new HashSet<>(), 0);
    }

    static ProtoFile parseWellKnown(String fileName, String text) {
        ProtoParser p = new ProtoParser(fileName, text);
        p.parseFile();
        p.resolve(List.of());
        return p.file;
    }

    private static ProtoFile parse(String fileName, String text, Map<String, String> imports, Map<String, ProtoFile> done,
                                   Set<String> inProgress, int depth) {
        ProtoParser p = new ProtoParser(fileName, text);
        p.parseFile();
        inProgress.add(fileName);
        List<ProtoFile> deps = new ArrayList<>();
        for (String imp : p.file.imports) {
            ProtoFile dep = WellKnownTypes.files().get(imp);
            if (dep == null && imports.containsKey(imp)) {
                dep = done.get(imp);
                if (dep == null) {
                    if (inProgress.contains(imp)) {
                        throw new IllegalArgumentException("line " + p.importLine(imp) + ": import cycle through \"" + imp + "\"");
                    }
                    if (depth >= MAX_IMPORT_DEPTH) {
                        throw new IllegalArgumentException("line " + p.importLine(imp) + ": imports nested deeper than "
                                + MAX_IMPORT_DEPTH);
                    }
                    try {
                        dep = parse(imp, imports.get(imp), imports, done, inProgress, depth + 1);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("line " + p.importLine(imp) + ": in import \"" + imp + "\": "
                                + e.getMessage(), e);
                    }
                }
            }
            if (dep != null && !deps.contains(dep)) {
                deps.add(dep);
            }
        }
        inProgress.remove(fileName);
        p.resolve(deps);
        done.put(fileName, p.file);
        return p.file;
    }

    private int importLine(String imp) {
        for (int i = 0; i + 1 < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.type == STRING && t.text.equals(imp)) {
                return t.line;
            }
        }
        return 1;
    }

    // ---------------------------------------------------------------- lexer

    private static List<Token> lex(String s) {
        List<Token> out = new ArrayList<>();
        int n = s.length();
        int i = 0;
        int line = 1;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\n') {
                line++;
                i++;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == 0x0b || c == '\uFEFF') {
                i++;
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                while (i < n && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int start = line;
                i += 2;
                while (i < n && !(s.charAt(i) == '*' && i + 1 < n && s.charAt(i + 1) == '/')) {
                    if (s.charAt(i) == '\n') {
                        line++;
                    }
                    i++;
                }
                if (i >= n) {
                    throw new IllegalArgumentException("line " + start + ": unterminated /* comment");
                }
                i += 2;
            } else if (identStart(c) || (c == '.' && i + 1 < n && identStart(s.charAt(i + 1)))) {
                int j = i + 1;
                while (j < n) {
                    char d = s.charAt(j);
                    if (identPart(d) || (d == '.' && j + 1 < n && identStart(s.charAt(j + 1)))) {
                        j++;
                    } else {
                        break;
                    }
                }
                out.add(new Token(IDENT, s.substring(i, j), line));
                i = j;
            } else if ((c >= '0' && c <= '9') || (c == '.' && i + 1 < n && Character.isDigit(s.charAt(i + 1)))) {
                int j = i + 1;
                boolean hex = c == '0' && j < n && (s.charAt(j) == 'x' || s.charAt(j) == 'X');
                while (j < n) {
                    char d = s.charAt(j);
                    char prev = s.charAt(j - 1);
                    if (identPart(d) || d == '.' || (!hex && (d == '+' || d == '-') && (prev == 'e' || prev == 'E'))) {
                        j++;
                    } else {
                        break;
                    }
                }
                String num = s.substring(i, j);
                int type = isInt(num) ? INT : FLOAT;
                if (type == FLOAT && !isFloat(num)) {
                    throw new IllegalArgumentException("line " + line + ": malformed number '" + num + "'");
                }
                out.add(new Token(type, num, line));
                i = j;
            } else if (c == '"' || c == '\'') {
                StringBuilder sb = new StringBuilder();
                int j = i + 1;
                while (true) {
                    if (j >= n || s.charAt(j) == '\n') {
                        throw new IllegalArgumentException("line " + line + ": unterminated string");
                    }
                    char d = s.charAt(j);
                    if (d == c) {
                        j++;
                        break;
                    }
                    if (d == '\\') {
                        j = escape(s, j + 1, sb, line);
                    } else {
                        sb.append(d);
                        j++;
                    }
                }
                out.add(new Token(STRING, sb.toString(), line));
                i = j;
            } else {
                out.add(new Token(SYM, String.valueOf(c), line));
                i++;
            }
        }
        out.add(new Token(EOF, "", line));
        return out;
    }

    /** Decodes one escape whose letter is at {@code j}; returns the index after it. */
    private static int escape(String s, int j, StringBuilder sb, int line) {
        if (j >= s.length()) {
            throw new IllegalArgumentException("line " + line + ": unterminated string");
        }
        char e = s.charAt(j);
        switch (e) {
            case 'n' -> sb.append('\n');
            case 't' -> sb.append('\t');
            case 'r' -> sb.append('\r');
            case 'a' -> sb.append((char) 7);
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'v' -> sb.append((char) 11);
            case '\\', '\'', '"', '?' -> sb.append(e);
            case 'x', 'X' -> {
                int k = j + 1;
                int v = 0;
                while (k < s.length() && k < j + 3 && Character.digit(s.charAt(k), 16) >= 0) {
                    v = v * 16 + Character.digit(s.charAt(k), 16);
                    k++;
                }
                if (k == j + 1) {
                    throw new IllegalArgumentException("line " + line + ": bad \\x escape");
                }
                sb.append((char) v);
                return k;
            }
            case 'u', 'U' -> {
                int digits = e == 'u' ? 4 : 8;
                if (j + 1 + digits > s.length()) {
                    throw new IllegalArgumentException("line " + line + ": bad \\" + e + " escape");
                }
                try {
                    sb.appendCodePoint(Integer.parseInt(s.substring(j + 1, j + 1 + digits), 16));
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException("line " + line + ": bad \\" + e + " escape");
                }
                return j + 1 + digits;
            }
            default -> {
                if (e >= '0' && e <= '7') {
                    int k = j;
                    int v = 0;
                    while (k < s.length() && k < j + 3 && s.charAt(k) >= '0' && s.charAt(k) <= '7') {
                        v = v * 8 + (s.charAt(k) - '0');
                        k++;
                    }
                    sb.append((char) v);
                    return k;
                }
                throw new IllegalArgumentException("line " + line + ": unknown escape \\" + e);
            }
        }
        return j + 1;
    }

    private static boolean identStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean identPart(char c) {
        return identStart(c) || (c >= '0' && c <= '9');
    }

    private static boolean isInt(String t) {
        if (t.startsWith("0x") || t.startsWith("0X")) {
            if (t.length() == 2) {
                return false;
            }
            for (int i = 2; i < t.length(); i++) {
                if (Character.digit(t.charAt(i), 16) < 0) {
                    return false;
                }
            }
            return true;
        }
        for (int i = 0; i < t.length(); i++) {
            if (t.charAt(i) < '0' || t.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isFloat(String t) {
        return t.matches("(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?[fF]?");
    }

    // ---------------------------------------------------------------- token helpers

    private Token peek() {
        return tokens.get(pos);
    }

    private Token peek(int ahead) {
        int i = Math.min(pos + ahead, tokens.size() - 1);
        return tokens.get(i);
    }

    private Token next() {
        Token t = tokens.get(pos);
        if (t.type != EOF) {
            pos++;
        }
        return t;
    }

    private boolean isSym(Token t, String s) {
        return t.type == SYM && t.text.equals(s);
    }

    private boolean accept(String sym) {
        if (isSym(peek(), sym)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(String sym) {
        Token t = peek();
        if (!isSym(t, sym)) {
            throw error(t, "expected '" + sym + "', got " + describe(t));
        }
        pos++;
    }

    private Token expectIdent(String what) {
        Token t = peek();
        if (t.type != IDENT) {
            throw error(t, "expected " + what + ", got " + describe(t));
        }
        pos++;
        return t;
    }

    /** A simple (undotted) identifier, as a declaration's name must be. */
    private String expectName(String what) {
        Token t = expectIdent(what);
        if (t.text.indexOf('.') >= 0) {
            throw error(t, "expected " + what + ", got '" + t.text + "'");
        }
        return t.text;
    }

    private String expectString(String what) {
        Token t = peek();
        if (t.type != STRING) {
            throw error(t, "expected " + what + " (a quoted string), got " + describe(t));
        }
        pos++;
        StringBuilder sb = new StringBuilder(t.text);
        while (peek().type == STRING) { // adjacent literals concatenate
            sb.append(next().text);
        }
        return sb.toString();
    }

    private static String describe(Token t) {
        return switch (t.type) {
            case EOF -> "end of file";
            case STRING -> "string \"" + t.text + "\"";
            default -> "'" + t.text + "'";
        };
    }

    private static IllegalArgumentException error(Token t, String msg) {
        return new IllegalArgumentException("line " + t.line + ": " + msg);
    }

    private static IllegalArgumentException error(int line, String msg) {
        return new IllegalArgumentException("line " + line + ": " + msg);
    }

    /** Skips to and past the next ';' outside braces (an option, reserved or extensions statement). */
    private void skipStatement() {
        int depth = 0;
        while (true) {
            Token t = next();
            if (t.type == EOF) {
                throw error(t, "expected ';', got end of file");
            }
            if (isSym(t, "{")) {
                depth++;
            } else if (isSym(t, "}")) {
                if (depth == 0) {
                    throw error(t, "expected ';', got '}'");
                }
                depth--;
            } else if (isSym(t, ";") && depth == 0) {
                return;
            }
        }
    }

    /** Skips a balanced {@code { ... }} block; the current token must be its '{'. */
    private void skipBlock() {
        Token open = peek();
        expect("{");
        int depth = 1;
        while (depth > 0) {
            Token t = next();
            if (t.type == EOF) {
                throw error(open, "unclosed '{'");
            }
            if (isSym(t, "{")) {
                depth++;
            } else if (isSym(t, "}")) {
                depth--;
            }
        }
    }

    // ---------------------------------------------------------------- grammar

    private void parseFile() {
        ProtoFile.Syntax syntax = ProtoFile.Syntax.PROTO2;
        if (peek().type == IDENT && peek().text.equals("syntax")) {
            Token kw = next();
            expect("=");
            String s = expectString("syntax");
            expect(";");
            syntax = switch (s) {
                case "proto2" -> ProtoFile.Syntax.PROTO2;
                case "proto3" -> ProtoFile.Syntax.PROTO3;
                default -> throw error(kw, "unknown syntax \"" + s + "\"; expected \"proto2\" or \"proto3\"");
            };
        } else if (peek().type == IDENT && peek().text.equals("edition")) {
            throw error(peek(), "editions are not supported; use syntax = \"proto2\" or \"proto3\"");
        }
        file = new ProtoFile(fileName, syntax, prescanPackage());
        boolean sawPackage = false;
        while (peek().type != EOF) {
            if (accept(";")) {
                continue;
            }
            Token kw = expectIdent("a declaration (message, enum, import, option, package, service, extend)");
            switch (kw.text) {
                case "syntax" -> throw error(kw, "the syntax statement must come first");
                case "edition" -> throw error(kw, "editions are not supported");
                case "package" -> {
                    if (sawPackage) {
                        throw error(kw, "multiple package statements");
                    }
                    sawPackage = true;
                    expectIdent("package name");
                    expect(";");
                }
                case "import" -> {
                    if (peek().type == IDENT && (peek().text.equals("public") || peek().text.equals("weak"))) {
                        next();
                    }
                    file.imports.add(expectString("import path"));
                    expect(";");
                }
                case "option" -> skipStatement();
                case "message" -> file.messages.add(parseMessage(null, file.messages.size()));
                case "enum" -> file.enums.add(parseEnum(null));
                case "service" -> {
                    expectName("service name");
                    skipBlock();
                }
                case "extend" -> {
                    expectIdent("extended type");
                    skipBlock();
                }
                default -> throw error(kw, "unexpected '" + kw.text
                        + "'; expected message, enum, import, option, package, service or extend");
            }
        }
    }

    /** The package declared anywhere at the top level (names of types depend on it), or "". */
    private String prescanPackage() {
        int depth = 0;
        for (int i = pos; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (isSym(t, "{")) {
                depth++;
            } else if (isSym(t, "}")) {
                depth--;
            } else if (depth == 0 && t.type == IDENT && t.text.equals("package") && i + 1 < tokens.size()) {
                Token name = tokens.get(i + 1);
                if (name.type != IDENT || name.text.startsWith(".")) {
                    throw error(name, "expected package name, got " + describe(name));
                }
                return name.text;
            }
        }
        return "";
    }

    private String qualify(ProtoMessage parent, String name) {
        if (parent != null) {
            return parent.fullName() + "." + name;
        }
        return file.packageName().isEmpty() ? name : file.packageName() + "." + name;
    }

    private ProtoMessage parseMessage(ProtoMessage parent, int index) {
        Token nameTok = peek();
        String name = expectName("message name");
        ProtoMessage m = new ProtoMessage(name, qualify(parent, name), parent, nameTok.line);
        m.file = file;
        m.index = index;
        expect("{");
        while (!accept("}")) {
            Token t = peek();
            if (t.type == EOF) {
                throw error(nameTok, "message " + name + " is not closed ('}' missing)");
            }
            if (accept(";")) {
                continue;
            }
            if (t.type != IDENT) {
                throw error(t, "expected a field, message, enum, oneof, option or reserved statement, got " + describe(t));
            }
            switch (t.text) {
                case "message" -> {
                    if (isSym(peek(2), "{")) {
                        next();
                        m.messages.add(parseMessage(m, m.messages.size()));
                        continue;
                    }
                }
                case "enum" -> {
                    if (isSym(peek(2), "{")) {
                        next();
                        m.enums.add(parseEnum(m));
                        continue;
                    }
                }
                case "option" -> {
                    next();
                    skipStatement();
                    continue;
                }
                case "reserved", "extensions" -> {
                    if (peek(1).type == INT || peek(1).type == STRING || isSym(peek(1), "-")) {
                        next();
                        skipStatement();
                        continue;
                    }
                }
                case "extend" -> {
                    if (peek(1).type == IDENT && isSym(peek(2), "{")) {
                        next();
                        next();
                        skipBlock();
                        continue;
                    }
                }
                case "oneof" -> {
                    if (peek(1).type == IDENT && isSym(peek(2), "{")) {
                        next();
                        parseOneof(m);
                        continue;
                    }
                }
                case "map" -> {
                    if (isSym(peek(1), "<")) {
                        next();
                        parseMap(m, t);
                        continue;
                    }
                }
                default -> {
                }
            }
            parseField(m, null);
        }
        return m;
    }

    private void parseOneof(ProtoMessage m) {
        Token nameTok = peek();
        String name = expectName("oneof name");
        if (m.oneofs.contains(name)) {
            throw error(nameTok, "oneof '" + name + "' is already defined in " + m.fullName());
        }
        m.oneofs.add(name);
        expect("{");
        int before = m.fields.size();
        while (!accept("}")) {
            Token t = peek();
            if (t.type == EOF) {
                throw error(nameTok, "oneof " + name + " is not closed ('}' missing)");
            }
            if (accept(";")) {
                continue;
            }
            if (t.type == IDENT && t.text.equals("option")) {
                next();
                skipStatement();
                continue;
            }
            if (t.type == IDENT && t.text.equals("map") && isSym(peek(1), "<")) {
                throw error(t, "map fields are not allowed in a oneof");
            }
            parseField(m, name);
        }
        if (m.fields.size() == before) {
            throw error(nameTok, "oneof " + name + " has no fields");
        }
    }

    private void parseField(ProtoMessage m, String oneof) {
        Token first = peek();
        ProtoField.Label label = null;
        if (first.type == IDENT && (first.text.equals("optional") || first.text.equals("required")
                || first.text.equals("repeated")) && peek(1).type == IDENT && !isSym(peek(2), "=")) {
            next();
            label = switch (first.text) {
                case "optional" -> ProtoField.Label.OPTIONAL;
                case "required" -> ProtoField.Label.REQUIRED;
                default -> ProtoField.Label.REPEATED;
            };
            if (oneof != null) {
                throw error(first, "fields in a oneof cannot have a label ('" + first.text + "')");
            }
            if (label == ProtoField.Label.REQUIRED && file.syntax() == ProtoFile.Syntax.PROTO3) {
                throw error(first, "required fields are not allowed in proto3");
            }
            if (peek().type == IDENT && peek().text.equals("map") && isSym(peek(1), "<")) {
                throw error(first, "map fields cannot have a label ('" + first.text + "')");
            }
        }
        if (label == null) {
            label = oneof != null || file.syntax() == ProtoFile.Syntax.PROTO3
                    ? ProtoField.Label.SINGULAR : ProtoField.Label.OPTIONAL;
        }
        Token typeTok = expectIdent("a field type");
        if (typeTok.text.equals("group")) {
            throw error(typeTok, "groups are not supported");
        }
        Token nameTok = peek();
        String name = expectName("field name");
        expect("=");
        int number = fieldNumber();
        FieldOptions opts = fieldOptions();
        expect(";");
        ProtoField.Kind kind = ProtoField.Kind.scalar(typeTok.text);
        ProtoField f = new ProtoField(name, number, label, kind, typeTok.text, oneof, opts.packed, opts.jsonName,
                nameTok.line);
        if (opts.packed != null && label != ProtoField.Label.REPEATED) {
            throw error(nameTok, "[packed] applies only to repeated fields of numeric, bool or enum type");
        }
        addField(m, f, nameTok);
    }

    private void parseMap(ProtoMessage m, Token mapTok) {
        expect("<");
        Token keyTok = expectIdent("map key type");
        ProtoField.Kind keyKind = ProtoField.Kind.scalar(keyTok.text);
        if (keyKind == null || keyKind == ProtoField.Kind.FLOAT || keyKind == ProtoField.Kind.DOUBLE
                || keyKind == ProtoField.Kind.BYTES) {
            throw error(keyTok, "map key type must be an integer type, bool or string, got '" + keyTok.text + "'");
        }
        expect(",");
        Token valTok = expectIdent("map value type");
        if (valTok.text.equals("map")) {
            throw error(valTok, "map values cannot be maps");
        }
        expect(">");
        Token nameTok = peek();
        String name = expectName("field name");
        expect("=");
        int number = fieldNumber();
        FieldOptions opts = fieldOptions();
        expect(";");
        if (opts.packed != null) {
            throw error(nameTok, "[packed] does not apply to map fields");
        }
        ProtoField f = new ProtoField(name, number, ProtoField.Label.REPEATED, ProtoField.Kind.MAP, null, null, null,
                opts.jsonName, nameTok.line);
        f.mapKey = new ProtoField("key", 1, ProtoField.Label.SINGULAR, keyKind, keyTok.text, null, null, null,
                keyTok.line);
        f.mapValue = new ProtoField("value", 2, ProtoField.Label.SINGULAR, ProtoField.Kind.scalar(valTok.text),
                valTok.text, null, null, null, valTok.line);
        addField(m, f, nameTok);
    }

    private void addField(ProtoMessage m, ProtoField f, Token at) {
        for (ProtoField other : m.fields) {
            if (other.name().equals(f.name())) {
                throw error(at, "field '" + f.name() + "' is already defined in " + m.fullName());
            }
            if (other.number() == f.number()) {
                throw error(at, "field number " + f.number() + " of '" + f.name() + "' is already used by '"
                        + other.name() + "' in " + m.fullName());
            }
        }
        f.declaringMessage = m;
        m.fields.add(f);
        if (f.kind == null) {
            unresolved.add(f);
        }
        if (f.mapValue != null && f.mapValue.kind == null) {
            unresolved.add(f.mapValue);
        }
    }

    private int fieldNumber() {
        Token t = peek();
        if (t.type != INT) {
            throw error(t, "expected a field number, got " + describe(t));
        }
        next();
        long v = parseInt(t);
        if (v < 1 || v > MAX_FIELD_NUMBER) {
            throw error(t, "field number " + t.text + " is out of range 1.." + MAX_FIELD_NUMBER);
        }
        if (v >= 19000 && v <= 19999) {
            throw error(t, "field numbers 19000..19999 are reserved for the protobuf implementation, got " + v);
        }
        return (int) v;
    }

    private static long parseInt(Token t) {
        String s = t.text;
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) {
                return Long.parseLong(s.substring(2), 16);
            }
            if (s.length() > 1 && s.startsWith("0")) {
                return Long.parseLong(s.substring(1), 8);
            }
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw error(t, "integer out of range: " + s);
        }
    }

    private static final class FieldOptions {
        Boolean packed;
        String jsonName;
    }

    /** Parses {@code [name = value, ...]} if present; keeps packed and json_name, ignores the rest. */
    private FieldOptions fieldOptions() {
        FieldOptions o = new FieldOptions();
        if (!accept("[")) {
            return o;
        }
        while (true) {
            Token start = peek();
            StringBuilder name = new StringBuilder();
            while (!isSym(peek(), "=")) {
                Token t = next();
                if (t.type == EOF || isSym(t, "]") || isSym(t, ";") || isSym(t, ",")) {
                    throw error(t, "expected '=' in field option, got " + describe(t));
                }
                name.append(t.text);
            }
            if (name.length() == 0) {
                throw error(start, "expected an option name, got '='");
            }
            expect("=");
            Token v = peek();
            if (isSym(v, "{")) {
                skipBlock();
            } else {
                if (isSym(v, "-") || isSym(v, "+")) {
                    next();
                }
                Token val = next();
                if (val.type == EOF || val.type == SYM) {
                    throw error(val, "expected an option value, got " + describe(val));
                }
                if (val.type == STRING) {
                    while (peek().type == STRING) {
                        next();
                    }
                }
                String n = name.toString();
                if (n.equals("packed")) {
                    if (!val.text.equals("true") && !val.text.equals("false")) {
                        throw error(val, "packed must be true or false, got " + describe(val));
                    }
                    o.packed = Boolean.valueOf(val.text);
                } else if (n.equals("json_name") && val.type == STRING) {
                    o.jsonName = val.text;
                }
            }
            if (accept("]")) {
                return o;
            }
            Token sep = peek();
            if (!accept(",")) {
                throw error(sep, "expected ',' or ']' in field options, got " + describe(sep));
            }
        }
    }

    private ProtoEnum parseEnum(ProtoMessage parent) {
        Token nameTok = peek();
        String name = expectName("enum name");
        ProtoEnum e = new ProtoEnum(name, qualify(parent, name), parent, nameTok.line);
        e.file = file;
        expect("{");
        while (!accept("}")) {
            Token t = peek();
            if (t.type == EOF) {
                throw error(nameTok, "enum " + name + " is not closed ('}' missing)");
            }
            if (accept(";")) {
                continue;
            }
            if (t.type != IDENT) {
                throw error(t, "expected an enum value, got " + describe(t));
            }
            if ((t.text.equals("option") || t.text.equals("reserved")) && !isSym(peek(1), "=")) {
                next();
                skipStatement();
                continue;
            }
            String valueName = expectName("enum value name");
            expect("=");
            boolean neg = accept("-");
            Token num = peek();
            if (num.type != INT) {
                throw error(num, "expected an enum value number, got " + describe(num));
            }
            next();
            long v = parseInt(num) * (neg ? -1 : 1);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw error(num, "enum value " + (neg ? "-" : "") + num.text + " is out of the int32 range");
            }
            fieldOptions();
            expect(";");
            for (ProtoEnum.Value other : e.values) {
                if (other.name().equals(valueName)) {
                    throw error(t, "enum value '" + valueName + "' is already defined in " + e.fullName());
                }
            }
            e.values.add(new ProtoEnum.Value(valueName, (int) v));
        }
        if (e.values.isEmpty()) {
            throw error(nameTok, "enum " + name + " has no values");
        }
        return e;
    }

    // ---------------------------------------------------------------- resolution

    private void resolve(List<ProtoFile> deps) {
        Map<String, Object> symbols = new HashMap<>();
        List<ProtoFile> visible = new ArrayList<>();
        visible.add(file);
        for (ProtoFile d : deps) {
            addVisible(d, visible);
        }
        for (ProtoFile wk : wellKnownUnlessSelf()) {
            addVisible(wk, visible);
        }
        for (ProtoFile f : visible) {
            addSymbols(f, symbols);
        }
        Map<ProtoFile, Boolean> used = new LinkedHashMap<>();
        for (ProtoFile d : deps) {
            used.put(d, Boolean.TRUE);
        }
        for (ProtoField f : unresolved) {
            ProtoMessage owner = f.declaringMessage != null ? f.declaringMessage : ownerOfMapValue(f);
            String scope = owner.fullName();
            Object sym = lookup(symbols, f.typeName, scope);
            if (sym == null) {
                throw error(f.line(), "unknown type '" + f.typeName + "'" + (f.typeName.contains(".") ? ""
                        : " (not a scalar type, nor a message or enum in scope " + scope + ")"));
            }
            if (sym instanceof ProtoMessage pm) {
                f.kind = ProtoField.Kind.MESSAGE;
                f.messageType = pm;
                if (pm.file() != file) {
                    used.putIfAbsent(pm.file(), Boolean.TRUE);
                }
            } else if (sym instanceof ProtoEnum pe) {
                f.kind = ProtoField.Kind.ENUM;
                f.enumType = pe;
                if (pe.file() != file) {
                    used.putIfAbsent(pe.file(), Boolean.TRUE);
                }
            } else {
                throw error(f.line(), "'" + f.typeName + "' is a package, not a message or enum type");
            }
        }
        file.dependencies.addAll(used.keySet());
        for (ProtoMessage m : file.allMessages()) {
            for (ProtoField f : m.fields) {
                f.presence = presence(f);
                if (f.packedOption() != null && !f.kind.isPackable()) {
                    throw error(f.line(), "[packed] applies only to repeated fields of numeric, bool or enum type");
                }
            }
        }
    }

    private ProtoMessage ownerOfMapValue(ProtoField value) {
        for (ProtoMessage m : file.allMessages()) {
            for (ProtoField f : m.fields) {
                if (f.mapValue == value) {
                    return m;
                }
            }
        }
        throw new IllegalStateException("map value without its map field");
    }

    private List<ProtoFile> wellKnownUnlessSelf() {
        if (WellKnownTypes.isWellKnownFile(fileName) && WellKnownTypes.PACKAGE.equals(file.packageName())) {
            return List.of(); // parsing the built-ins themselves
        }
        return List.copyOf(WellKnownTypes.files().values());
    }

    private static void addVisible(ProtoFile f, List<ProtoFile> visible) {
        if (visible.contains(f)) {
            return;
        }
        visible.add(f);
        for (ProtoFile d : f.dependencies) {
            addVisible(d, visible);
        }
    }

    private void addSymbols(ProtoFile f, Map<String, Object> symbols) {
        String pkg = f.packageName();
        if (!pkg.isEmpty()) {
            String[] parts = pkg.split("\\.");
            StringBuilder sb = new StringBuilder();
            for (String p : parts) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(p);
                symbols.putIfAbsent(sb.toString(), PACKAGE_SYMBOL);
            }
        }
        for (ProtoEnum e : f.enums) {
            define(symbols, e.fullName(), e, f, e.line());
        }
        for (ProtoMessage m : f.allMessages()) {
            define(symbols, m.fullName(), m, f, m.line());
            for (ProtoEnum e : m.enums) {
                define(symbols, e.fullName(), e, f, e.line());
            }
        }
    }

    private void define(Map<String, Object> symbols, String name, Object sym, ProtoFile in, int line) {
        Object prev = symbols.get(name);
        if (prev != null && prev != PACKAGE_SYMBOL) {
            if (in == file) {
                throw error(line, "'" + name + "' is already defined" + (fileOf(prev) == file ? "" : " in " + fileOf(prev).name()));
            }
            return; // a clash between two dependencies: the first wins
        }
        if (prev == PACKAGE_SYMBOL && in == file) {
            throw error(line, "'" + name + "' is already defined as a package");
        }
        symbols.put(name, sym);
    }

    private static ProtoFile fileOf(Object sym) {
        return sym instanceof ProtoMessage m ? m.file() : ((ProtoEnum) sym).file();
    }

    /**
     * protobuf's scoping: a leading dot is fully qualified; otherwise the first component is looked up
     * from the innermost scope outwards, and once it names something, the rest must resolve inside it.
     */
    private static Object lookup(Map<String, Object> symbols, String ref, String scope) {
        if (ref.startsWith(".")) {
            return symbols.get(ref.substring(1));
        }
        int dot = ref.indexOf('.');
        String first = dot < 0 ? ref : ref.substring(0, dot);
        String s = scope;
        while (true) {
            String candidate = s.isEmpty() ? first : s + "." + first;
            Object sym = symbols.get(candidate);
            if (sym != null) {
                if (dot < 0) {
                    if (sym != PACKAGE_SYMBOL) {
                        return sym;
                    }
                } else if (sym == PACKAGE_SYMBOL || sym instanceof ProtoMessage) {
                    return symbols.get(candidate + ref.substring(dot));
                }
            }
            if (s.isEmpty()) {
                return null;
            }
            int cut = s.lastIndexOf('.');
            s = cut < 0 ? "" : s.substring(0, cut);
        }
    }

    private static boolean presence(ProtoField f) {
        if (f.label() == ProtoField.Label.REPEATED) {
            return false;
        }
        if (f.kind == ProtoField.Kind.MESSAGE || f.oneof() != null) {
            return true;
        }
        if (f.declaringMessage.file().syntax() == ProtoFile.Syntax.PROTO2) {
            return true;
        }
        return f.label() == ProtoField.Label.OPTIONAL;
    }
}

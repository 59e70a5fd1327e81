package dev.jbuild.store;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

/**
 * Words for file errors that the JDK gives as a path alone: {@code AccessDeniedException} for an unreadable
 * file reads "/ctx/secret", so a message made from it ends in a bare path. Beside {@link NoSpaceLeftException},
 * which words the other error a user can act on.
 */
public final class FileErrors {

    private FileErrors() {}

    /** What went wrong, from the exception's reason or kind ("permission denied"); null when neither says. */
    public static String reason(FileSystemException e) {
        if (e.getReason() != null) {
            return e.getReason();
        }
        return e instanceof AccessDeniedException ? "permission denied"
                : e instanceof NoSuchFileException ? "no such file or directory"
                : e instanceof FileAlreadyExistsException ? "file exists"
                : e instanceof NotDirectoryException ? "not a directory"
                : e instanceof DirectoryNotEmptyException ? "directory not empty"
                : e instanceof NotLinkException ? "not a symbolic link" : null;
    }

    /**
     * {@code message} with the reason added after the bare path of a file error along {@code cause}'s chain: at the
     * end when the message ends in it, else after its last mention ("cannot open S: S/x.lock: permission denied
     * (use --root)").
     */
    public static String withReason(String message, Throwable cause) {
        for (Throwable t = cause; message != null && t != null; t = t.getCause()) {
            if (t instanceof FileSystemException file && file.getReason() == null && file.getMessage() != null) {
                String reason = reason(file);
                int at = message.lastIndexOf(file.getMessage());
                if (reason == null || at < 0) {
                    continue;
                }
                int end = at + file.getMessage().length();
                if (message.startsWith(": " + reason, end)) {
                    return message; // said already
                }
                return message.substring(0, end) + ": " + reason + message.substring(end);
            }
        }
        return message;
    }
}

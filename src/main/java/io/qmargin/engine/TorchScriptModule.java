package io.qmargin.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A TorchScript module that the engine compiles from source text shipped with qmargin, for the few
 * operations DJL 0.36 cannot express: bfloat16 tensors (DJL's native layer has no bfloat16 type and
 * aborts the process when it meets one, so they live only inside the module's methods and behind
 * {@link IValue} handles) and whole-row writes ({@code index_copy_}).
 *
 * <p>No Python is needed: the archive that {@code torch.jit.load} reads is written here. It holds
 * the module object pickled as an instance of one class with its {@code training} flag (data.pkl),
 * the class's source (code/__torch__.py, compiled by the engine when it loads the archive), an
 * empty constant table and the format version. The source uses TorchScript's own dialect: every
 * method takes {@code self} typed as {@code __torch__.ClassName}, and non-tensor arguments are
 * annotated.
 */
public final class TorchScriptModule implements AutoCloseable {
  private final PtSymbolBlock module;

  private TorchScriptModule(PtSymbolBlock module) {
    this.module = module;
  }

  /**
   * Compiles the class {@code className} (a TorchScript module class, see the class comment) given
   * by {@code source} on the manager's device.
   */
  public static TorchScriptModule compile(NDManager manager, String className, String source) {
    byte[] archive = archive(className, source);
    try (InputStream in = new ByteArrayInputStream(archive)) {
      return new TorchScriptModule(JniUtils.loadModule((PtNDManager) manager, in, false, false));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Compiles a module whose source is a class-path resource (UTF-8). */
  public static TorchScriptModule compileResource(
      NDManager manager, String className, Class<?> owner, String resource) {
    try (InputStream in = owner.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "missing resource " + resource + " next to " + owner.getName());
      }
      return compile(manager, className, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs a method. Arguments: {@link NDArray}, {@link IValue} (passed as it is and left open),
   * {@link Long} or {@link Integer}, {@link Double}, {@link Boolean}, or {@code long[]} (a
   * List[int]). The caller owns the result and closes it.
   */
  public IValue run(String method, Object... args) {
    List<IValue> made = new ArrayList<>();
    IValue[] inputs = new IValue[args.length];
    try {
      for (int i = 0; i < args.length; i++) {
        Object a = args[i];
        if (a instanceof IValue iv) {
          inputs[i] = iv;
          continue;
        }
        IValue iv;
        if (a instanceof NDArray nd) {
          iv = IValue.from((PtNDArray) nd);
        } else if (a instanceof Long || a instanceof Integer) {
          iv = IValue.from(((Number) a).longValue());
        } else if (a instanceof Double d) {
          iv = IValue.from(d);
        } else if (a instanceof Boolean b) {
          iv = IValue.from(b);
        } else if (a instanceof long[] list) {
          iv = IValue.listFrom(list);
        } else {
          throw new IllegalArgumentException("unsupported argument " + a);
        }
        made.add(iv);
        inputs[i] = iv;
      }
      return IValueUtils.runMethod(module, method, inputs);
    } finally {
      made.forEach(IValue::close);
    }
  }

  /** Runs a method that returns one tensor (not bfloat16), as an array on {@code target}. */
  public NDArray runTensor(NDManager target, String method, Object... args) {
    try (IValue out = run(method, args)) {
      return out.toTensor((PtNDManager) target);
    }
  }

  /** Runs a method that returns a tuple of tensors (none bfloat16), as arrays on {@code target}. */
  public NDArray[] runTensors(NDManager target, String method, Object... args) {
    try (IValue out = run(method, args)) {
      IValue[] parts = out.toIValueTuple();
      NDArray[] arrays = new NDArray[parts.length];
      for (int i = 0; i < parts.length; i++) {
        arrays[i] = parts[i].toTensor((PtNDManager) target);
        parts[i].close();
      }
      return arrays;
    }
  }

  @Override
  public void close() {
    module.close();
  }

  /** The archive torch.jit.load reads, entries stored uncompressed. */
  static byte[] archive(String className, String source) {
    if (!className.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("not a class name: " + className);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      String root = "module/";
      put(zip, root + "data.pkl", modulePickle(className));
      put(zip, root + "code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
      put(zip, root + "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // an empty tuple
      put(zip, root + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
      put(zip, root + "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Pickle (protocol 2) of {@code __torch__.className()} with the attribute training = True. */
  private static byte[] modulePickle(String className) {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(0x80); // PROTO 2
    p.write(2);
    p.writeBytes(("c__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII)); // GLOBAL
    p.write(')'); // EMPTY_TUPLE
    p.write(0x81); // NEWOBJ
    p.write('}'); // EMPTY_DICT
    p.write('('); // MARK
    byte[] name = "training".getBytes(StandardCharsets.US_ASCII);
    p.write('X'); // BINUNICODE, 4-byte little-endian length
    p.write(name.length);
    p.write(0);
    p.write(0);
    p.write(0);
    p.writeBytes(name);
    p.write(0x88); // NEWTRUE
    p.write('u'); // SETITEMS
    p.write('b'); // BUILD
    p.write('.'); // STOP
    return p.toByteArray();
  }

  private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(data.length);
    e.setCompressedSize(data.length);
    CRC32 crc = new CRC32();
    crc.update(data);
    e.setCrc(crc.getValue());
    zip.putNextEntry(e);
    zip.write(data);
    zip.closeEntry();
  }
}

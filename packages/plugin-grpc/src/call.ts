/**
 * Recognising a gRPC call from its request: the content type (`application/grpc`,
 * `application/grpc+proto`, `application/grpc-web`, `application/grpc-web-text+proto`, …) and
 * the path `/package.Service/Method`. Browser-safe.
 */
import { getHeader, type HeaderList } from '@capture/core/record';

/** Which flavour of gRPC a content type names. */
export interface GrpcFlavour {
  /** gRPC-Web (`application/grpc-web*`). */
  readonly web: boolean;
  /** gRPC-Web text (`application/grpc-web-text*`): bodies in base64. */
  readonly text: boolean;
}

/** The gRPC flavour of a `content-type` value, or undefined when it is not gRPC at all. */
export function grpcFlavour(contentType: string | undefined): GrpcFlavour | undefined {
  const type = contentType?.split(';', 1)[0]!.trim().toLowerCase();
  if (!type) return undefined;
  const match = /^application\/grpc(-web(-text)?)?(\+[a-z0-9._-]+)?$/.exec(type);
  if (!match) return undefined;
  return { web: match[1] !== undefined, text: match[2] !== undefined };
}

/** The gRPC flavour of a request (by its `content-type` header), or undefined when it is not a gRPC call. */
export function grpcFlavourOf(headers: HeaderList): GrpcFlavour | undefined {
  return grpcFlavour(getHeader(headers, 'content-type'));
}

/**
 * The service and method of a call from its URL's path `/package.Service/Method`. The last two
 * segments are used, so a gRPC-Web call behind a path prefix (`/api/pkg.Svc/Get`) is read too; a
 * path with fewer segments gives an empty service.
 */
export function parseGrpcPath(url: string): { service: string; method: string } {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    pathname = url.split('?', 1)[0]!;
  }
  const segments = pathname.split('/').filter(Boolean).map(safeDecode);
  const method = segments.at(-1) ?? '';
  const service = segments.length >= 2 ? segments.at(-2)! : '';
  return { service, method };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

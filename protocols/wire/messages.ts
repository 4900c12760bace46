/* eslint-disable require-yield */

import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum Kind {
  KIND_UNSPECIFIED = 'KIND_UNSPECIFIED',
  CAPABILITY_ADVERT = 'CAPABILITY_ADVERT',
  JOB_ANNOUNCE = 'JOB_ANNOUNCE',
  BID = 'BID',
  AWARD = 'AWARD',
  MATCH_RESULT = 'MATCH_RESULT'
}

enum __KindValues {
  KIND_UNSPECIFIED = 0,
  CAPABILITY_ADVERT = 1,
  JOB_ANNOUNCE = 2,
  BID = 3,
  AWARD = 4,
  MATCH_RESULT = 16
}

export namespace Kind {
  export const codec = (): Codec<Kind> => {
    return enumeration<Kind>(__KindValues)
  }
}

export interface Signed {
  kind: Kind
  body: Uint8Array<ArrayBuffer>
  signer: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace Signed {
  let _codec: Codec<Signed>

  export const codec = (): Codec<Signed> => {
    if (_codec == null) {
      _codec = message<Signed>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(8)
          Kind.codec().encode(obj.kind, w)
        }

        if ((obj.body != null && obj.body.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.body)
        }

        if ((obj.signer != null && obj.signer.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.signer)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: Kind.KIND_UNSPECIFIED,
          body: uint8ArrayAlloc(0),
          signer: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = Kind.codec().decode(reader)
              break
            }
            case 2: {
              obj.body = reader.bytes()
              break
            }
            case 3: {
              obj.signer = reader.bytes()
              break
            }
            case 4: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.kind`,
                value: Kind.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.body`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.signer`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SignedKindFieldEvent {
    field: '$.kind'
    value: Kind
  }

  export interface SignedBodyFieldEvent {
    field: '$.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedSignerFieldEvent {
    field: '$.signer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Signed>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Signed.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Signed>): Signed {
    return decodeMessage(buf, Signed.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Signed>): Generator<SignedKindFieldEvent | SignedBodyFieldEvent | SignedSignerFieldEvent | SignedSignatureFieldEvent> {
    return streamMessage(buf, Signed.codec(), opts)
  }
}

export interface DeterminismProfile {
  runtime: string
  runtimeVersion: string
  backend: string
  cpuClass: string
}

export namespace DeterminismProfile {
  let _codec: Codec<DeterminismProfile>

  export const codec = (): Codec<DeterminismProfile> => {
    if (_codec == null) {
      _codec = message<DeterminismProfile>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.runtime != null && obj.runtime !== '')) {
          w.uint32(10)
          w.string(obj.runtime)
        }

        if ((obj.runtimeVersion != null && obj.runtimeVersion !== '')) {
          w.uint32(18)
          w.string(obj.runtimeVersion)
        }

        if ((obj.backend != null && obj.backend !== '')) {
          w.uint32(26)
          w.string(obj.backend)
        }

        if ((obj.cpuClass != null && obj.cpuClass !== '')) {
          w.uint32(34)
          w.string(obj.cpuClass)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          runtime: '',
          runtimeVersion: '',
          backend: '',
          cpuClass: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.runtime = reader.string()
              break
            }
            case 2: {
              obj.runtimeVersion = reader.string()
              break
            }
            case 3: {
              obj.backend = reader.string()
              break
            }
            case 4: {
              obj.cpuClass = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.runtime`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.runtimeVersion`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.backend`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.cpuClass`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DeterminismProfileRuntimeFieldEvent {
    field: '$.runtime'
    value: string
  }

  export interface DeterminismProfileRuntimeVersionFieldEvent {
    field: '$.runtimeVersion'
    value: string
  }

  export interface DeterminismProfileBackendFieldEvent {
    field: '$.backend'
    value: string
  }

  export interface DeterminismProfileCpuClassFieldEvent {
    field: '$.cpuClass'
    value: string
  }

  export function encode (obj: Partial<DeterminismProfile>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DeterminismProfile.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeterminismProfile>): DeterminismProfile {
    return decodeMessage(buf, DeterminismProfile.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeterminismProfile>): Generator<DeterminismProfileRuntimeFieldEvent | DeterminismProfileRuntimeVersionFieldEvent | DeterminismProfileBackendFieldEvent | DeterminismProfileCpuClassFieldEvent> {
    return streamMessage(buf, DeterminismProfile.codec(), opts)
  }
}

export enum GpuClass {
  GPU_NONE = 'GPU_NONE',
  GPU_CONSUMER = 'GPU_CONSUMER',
  GPU_DATACENTER = 'GPU_DATACENTER'
}

enum __GpuClassValues {
  GPU_NONE = 0,
  GPU_CONSUMER = 1,
  GPU_DATACENTER = 2
}

export namespace GpuClass {
  export const codec = (): Codec<GpuClass> => {
    return enumeration<GpuClass>(__GpuClassValues)
  }
}

export interface Hardware {
  cpuCores: number
  ramGb: number
  gpuClass: GpuClass
  gpuModel: string
  vramGb: number
}

export namespace Hardware {
  let _codec: Codec<Hardware>

  export const codec = (): Codec<Hardware> => {
    if (_codec == null) {
      _codec = message<Hardware>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cpuCores != null && obj.cpuCores !== 0)) {
          w.uint32(8)
          w.uint32(obj.cpuCores)
        }

        if ((obj.ramGb != null && obj.ramGb !== 0)) {
          w.uint32(16)
          w.uint32(obj.ramGb)
        }

        if (obj.gpuClass != null && __GpuClassValues[obj.gpuClass] !== 0) {
          w.uint32(24)
          GpuClass.codec().encode(obj.gpuClass, w)
        }

        if ((obj.gpuModel != null && obj.gpuModel !== '')) {
          w.uint32(34)
          w.string(obj.gpuModel)
        }

        if ((obj.vramGb != null && obj.vramGb !== 0)) {
          w.uint32(40)
          w.uint32(obj.vramGb)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cpuCores: 0,
          ramGb: 0,
          gpuClass: GpuClass.GPU_NONE,
          gpuModel: '',
          vramGb: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cpuCores = reader.uint32()
              break
            }
            case 2: {
              obj.ramGb = reader.uint32()
              break
            }
            case 3: {
              obj.gpuClass = GpuClass.codec().decode(reader)
              break
            }
            case 4: {
              obj.gpuModel = reader.string()
              break
            }
            case 5: {
              obj.vramGb = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.cpuCores`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.ramGb`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.gpuClass`,
                value: GpuClass.codec().decode(reader)
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.gpuModel`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.vramGb`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HardwareCpuCoresFieldEvent {
    field: '$.cpuCores'
    value: number
  }

  export interface HardwareRamGbFieldEvent {
    field: '$.ramGb'
    value: number
  }

  export interface HardwareGpuClassFieldEvent {
    field: '$.gpuClass'
    value: GpuClass
  }

  export interface HardwareGpuModelFieldEvent {
    field: '$.gpuModel'
    value: string
  }

  export interface HardwareVramGbFieldEvent {
    field: '$.vramGb'
    value: number
  }

  export function encode (obj: Partial<Hardware>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Hardware.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Hardware>): Hardware {
    return decodeMessage(buf, Hardware.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Hardware>): Generator<HardwareCpuCoresFieldEvent | HardwareRamGbFieldEvent | HardwareGpuClassFieldEvent | HardwareGpuModelFieldEvent | HardwareVramGbFieldEvent> {
    return streamMessage(buf, Hardware.codec(), opts)
  }
}

export interface CapabilityAdvert {
  peerId: Uint8Array<ArrayBuffer>
  addrs: Uint8Array<ArrayBuffer>[]
  hardware?: Hardware
  pricePerHour: bigint
  profile?: DeterminismProfile
  capabilities: string[]
  issuedAt: bigint
  expiresAt: bigint
}

export namespace CapabilityAdvert {
  let _codec: Codec<CapabilityAdvert>

  export const codec = (): Codec<CapabilityAdvert> => {
    if (_codec == null) {
      _codec = message<CapabilityAdvert>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.peerId)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (obj.hardware != null) {
          w.uint32(26)
          Hardware.codec().encode(obj.hardware, w)
        }

        if ((obj.pricePerHour != null && obj.pricePerHour !== 0n)) {
          w.uint32(33)
          w.sfixed64(obj.pricePerHour)
        }

        if (obj.profile != null) {
          w.uint32(42)
          DeterminismProfile.codec().encode(obj.profile, w)
        }

        if (obj.capabilities != null && obj.capabilities.length > 0) {
          for (const value of obj.capabilities) {
            w.uint32(50)
            w.string(value)
          }
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0n)) {
          w.uint32(57)
          w.sfixed64(obj.issuedAt)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0n)) {
          w.uint32(65)
          w.sfixed64(obj.expiresAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: uint8ArrayAlloc(0),
          addrs: [],
          pricePerHour: 0n,
          capabilities: [],
          issuedAt: 0n,
          expiresAt: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.bytes())
              break
            }
            case 3: {
              obj.hardware = Hardware.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.hardware
              })
              break
            }
            case 4: {
              obj.pricePerHour = reader.sfixed64()
              break
            }
            case 5: {
              obj.profile = DeterminismProfile.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.profile
              })
              break
            }
            case 6: {
              if (opts.limits?.capabilities != null && obj.capabilities.length === opts.limits.capabilities) {
                throw new MaxLengthError('Decode error - repeated field "capabilities" had too many elements')
              }

              obj.capabilities.push(reader.string())
              break
            }
            case 7: {
              obj.issuedAt = reader.sfixed64()
              break
            }
            case 8: {
              obj.expiresAt = reader.sfixed64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          addrs: 0,
          capabilities: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peerId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.bytes()
              }

              obj.addrs++

              break
            }
            case 3: {
              yield * Hardware.codec().stream(reader, reader.uint32(), `${prefix}.hardware`, {
                limits: opts.limits?.hardware
              })

              break
            }
            case 4: {
              yield {
                field: `${prefix}.pricePerHour`,
                value: reader.sfixed64()
              }
              break
            }
            case 5: {
              yield * DeterminismProfile.codec().stream(reader, reader.uint32(), `${prefix}.profile`, {
                limits: opts.limits?.profile
              })

              break
            }
            case 6: {
              if (opts.limits?.capabilities != null && obj.capabilities === opts.limits.capabilities) {
                throw new MaxLengthError('Streaming decode error - repeated field "capabilities" had too many elements')
              }

              yield {
                field: `${prefix}.capabilities[]`,
                index: obj.capabilities,
                value: reader.string()
              }

              obj.capabilities++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.sfixed64()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.expiresAt`,
                value: reader.sfixed64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface CapabilityAdvertPeerIdFieldEvent {
    field: '$.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CapabilityAdvertAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface CapabilityAdvertHardwareCpuCoresFieldEvent {
    field: '$.hardware.cpuCores'
    value: number
  }

  export interface CapabilityAdvertHardwareRamGbFieldEvent {
    field: '$.hardware.ramGb'
    value: number
  }

  export interface CapabilityAdvertHardwareGpuClassFieldEvent {
    field: '$.hardware.gpuClass'
    value: GpuClass
  }

  export interface CapabilityAdvertHardwareGpuModelFieldEvent {
    field: '$.hardware.gpuModel'
    value: string
  }

  export interface CapabilityAdvertHardwareVramGbFieldEvent {
    field: '$.hardware.vramGb'
    value: number
  }

  export interface CapabilityAdvertPricePerHourFieldEvent {
    field: '$.pricePerHour'
    value: bigint
  }

  export interface CapabilityAdvertProfileRuntimeFieldEvent {
    field: '$.profile.runtime'
    value: string
  }

  export interface CapabilityAdvertProfileRuntimeVersionFieldEvent {
    field: '$.profile.runtimeVersion'
    value: string
  }

  export interface CapabilityAdvertProfileBackendFieldEvent {
    field: '$.profile.backend'
    value: string
  }

  export interface CapabilityAdvertProfileCpuClassFieldEvent {
    field: '$.profile.cpuClass'
    value: string
  }

  export interface CapabilityAdvertCapabilitiesFieldEvent {
    field: '$.capabilities[]'
    index: number
    value: string
  }

  export interface CapabilityAdvertIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: bigint
  }

  export interface CapabilityAdvertExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: bigint
  }

  export function encode (obj: Partial<CapabilityAdvert>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CapabilityAdvert.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CapabilityAdvert>): CapabilityAdvert {
    return decodeMessage(buf, CapabilityAdvert.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CapabilityAdvert>): Generator<CapabilityAdvertPeerIdFieldEvent | CapabilityAdvertAddrsFieldEvent | CapabilityAdvertHardwareCpuCoresFieldEvent | CapabilityAdvertHardwareRamGbFieldEvent | CapabilityAdvertHardwareGpuClassFieldEvent | CapabilityAdvertHardwareGpuModelFieldEvent | CapabilityAdvertHardwareVramGbFieldEvent | CapabilityAdvertPricePerHourFieldEvent | CapabilityAdvertProfileRuntimeFieldEvent | CapabilityAdvertProfileRuntimeVersionFieldEvent | CapabilityAdvertProfileBackendFieldEvent | CapabilityAdvertProfileCpuClassFieldEvent | CapabilityAdvertCapabilitiesFieldEvent | CapabilityAdvertIssuedAtFieldEvent | CapabilityAdvertExpiresAtFieldEvent> {
    return streamMessage(buf, CapabilityAdvert.codec(), opts)
  }
}

export enum VerificationTier {
  TIER_OPTIMISTIC = 'TIER_OPTIMISTIC',
  TIER_ZK = 'TIER_ZK'
}

enum __VerificationTierValues {
  TIER_OPTIMISTIC = 0,
  TIER_ZK = 1
}

export namespace VerificationTier {
  export const codec = (): Codec<VerificationTier> => {
    return enumeration<VerificationTier>(__VerificationTierValues)
  }
}

export enum NumericMode {
  FLOAT32 = 'FLOAT32',
  FIXED_POINT = 'FIXED_POINT'
}

enum __NumericModeValues {
  FLOAT32 = 0,
  FIXED_POINT = 1
}

export namespace NumericMode {
  export const codec = (): Codec<NumericMode> => {
    return enumeration<NumericMode>(__NumericModeValues)
  }
}

export enum FloatBackend {
  BACKEND_NATIVE = 'BACKEND_NATIVE',
  BACKEND_PORTABLE = 'BACKEND_PORTABLE'
}

enum __FloatBackendValues {
  BACKEND_NATIVE = 0,
  BACKEND_PORTABLE = 1
}

export namespace FloatBackend {
  export const codec = (): Codec<FloatBackend> => {
    return enumeration<FloatBackend>(__FloatBackendValues)
  }
}

export enum Priority {
  PRIORITY_NORMAL = 'PRIORITY_NORMAL',
  PRIORITY_LOW = 'PRIORITY_LOW',
  PRIORITY_HIGH = 'PRIORITY_HIGH',
  PRIORITY_CRITICAL = 'PRIORITY_CRITICAL'
}

enum __PriorityValues {
  PRIORITY_NORMAL = 0,
  PRIORITY_LOW = 1,
  PRIORITY_HIGH = 2,
  PRIORITY_CRITICAL = 3
}

export namespace Priority {
  export const codec = (): Codec<Priority> => {
    return enumeration<Priority>(__PriorityValues)
  }
}

export interface TrainingSpec {
  layers: number[]
  mode: NumericMode
  fracBits: number
  datasetId: string
  datasetHash: Uint8Array<ArrayBuffer>
  datasetBytes: bigint
  epochs: number
  batchSize: number
  learningRateMicros: number
  momentumMicros: number
  seed: bigint
  tier: VerificationTier
  stepsPerSegment: number
  backend: FloatBackend
  clientModel?: ClientModel
}

export namespace TrainingSpec {
  let _codec: Codec<TrainingSpec>

  export const codec = (): Codec<TrainingSpec> => {
    if (_codec == null) {
      _codec = message<TrainingSpec>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.layers != null && obj.layers.length > 0) {
          for (const value of obj.layers) {
            w.uint32(8)
            w.uint32(value)
          }
        }

        if (obj.mode != null && __NumericModeValues[obj.mode] !== 0) {
          w.uint32(16)
          NumericMode.codec().encode(obj.mode, w)
        }

        if ((obj.fracBits != null && obj.fracBits !== 0)) {
          w.uint32(24)
          w.uint32(obj.fracBits)
        }

        if ((obj.datasetId != null && obj.datasetId !== '')) {
          w.uint32(34)
          w.string(obj.datasetId)
        }

        if ((obj.datasetHash != null && obj.datasetHash.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.datasetHash)
        }

        if ((obj.datasetBytes != null && obj.datasetBytes !== 0n)) {
          w.uint32(49)
          w.sfixed64(obj.datasetBytes)
        }

        if ((obj.epochs != null && obj.epochs !== 0)) {
          w.uint32(56)
          w.uint32(obj.epochs)
        }

        if ((obj.batchSize != null && obj.batchSize !== 0)) {
          w.uint32(64)
          w.uint32(obj.batchSize)
        }

        if ((obj.learningRateMicros != null && obj.learningRateMicros !== 0)) {
          w.uint32(72)
          w.uint32(obj.learningRateMicros)
        }

        if ((obj.momentumMicros != null && obj.momentumMicros !== 0)) {
          w.uint32(80)
          w.uint32(obj.momentumMicros)
        }

        if ((obj.seed != null && obj.seed !== 0n)) {
          w.uint32(89)
          w.sfixed64(obj.seed)
        }

        if (obj.tier != null && __VerificationTierValues[obj.tier] !== 0) {
          w.uint32(96)
          VerificationTier.codec().encode(obj.tier, w)
        }

        if ((obj.stepsPerSegment != null && obj.stepsPerSegment !== 0)) {
          w.uint32(104)
          w.uint32(obj.stepsPerSegment)
        }

        if (obj.backend != null && __FloatBackendValues[obj.backend] !== 0) {
          w.uint32(112)
          FloatBackend.codec().encode(obj.backend, w)
        }

        if (obj.clientModel != null) {
          w.uint32(122)
          ClientModel.codec().encode(obj.clientModel, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          layers: [],
          mode: NumericMode.FLOAT32,
          fracBits: 0,
          datasetId: '',
          datasetHash: uint8ArrayAlloc(0),
          datasetBytes: 0n,
          epochs: 0,
          batchSize: 0,
          learningRateMicros: 0,
          momentumMicros: 0,
          seed: 0n,
          tier: VerificationTier.TIER_OPTIMISTIC,
          stepsPerSegment: 0,
          backend: FloatBackend.BACKEND_NATIVE
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.layers != null && obj.layers.length === opts.limits.layers) {
                throw new MaxLengthError('Decode error - repeated field "layers" had too many elements')
              }

              obj.layers.push(reader.uint32())
              break
            }
            case 2: {
              obj.mode = NumericMode.codec().decode(reader)
              break
            }
            case 3: {
              obj.fracBits = reader.uint32()
              break
            }
            case 4: {
              obj.datasetId = reader.string()
              break
            }
            case 5: {
              obj.datasetHash = reader.bytes()
              break
            }
            case 6: {
              obj.datasetBytes = reader.sfixed64()
              break
            }
            case 7: {
              obj.epochs = reader.uint32()
              break
            }
            case 8: {
              obj.batchSize = reader.uint32()
              break
            }
            case 9: {
              obj.learningRateMicros = reader.uint32()
              break
            }
            case 10: {
              obj.momentumMicros = reader.uint32()
              break
            }
            case 11: {
              obj.seed = reader.sfixed64()
              break
            }
            case 12: {
              obj.tier = VerificationTier.codec().decode(reader)
              break
            }
            case 13: {
              obj.stepsPerSegment = reader.uint32()
              break
            }
            case 14: {
              obj.backend = FloatBackend.codec().decode(reader)
              break
            }
            case 15: {
              obj.clientModel = ClientModel.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.clientModel
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          layers: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.layers != null && obj.layers === opts.limits.layers) {
                throw new MaxLengthError('Streaming decode error - repeated field "layers" had too many elements')
              }

              yield {
                field: `${prefix}.layers[]`,
                index: obj.layers,
                value: reader.uint32()
              }

              obj.layers++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.mode`,
                value: NumericMode.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.fracBits`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.datasetId`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.datasetHash`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.datasetBytes`,
                value: reader.sfixed64()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.epochs`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.batchSize`,
                value: reader.uint32()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.learningRateMicros`,
                value: reader.uint32()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.momentumMicros`,
                value: reader.uint32()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.seed`,
                value: reader.sfixed64()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.tier`,
                value: VerificationTier.codec().decode(reader)
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.stepsPerSegment`,
                value: reader.uint32()
              }
              break
            }
            case 14: {
              yield {
                field: `${prefix}.backend`,
                value: FloatBackend.codec().decode(reader)
              }
              break
            }
            case 15: {
              yield * ClientModel.codec().stream(reader, reader.uint32(), `${prefix}.clientModel`, {
                limits: opts.limits?.clientModel
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface TrainingSpecLayersFieldEvent {
    field: '$.layers[]'
    index: number
    value: number
  }

  export interface TrainingSpecModeFieldEvent {
    field: '$.mode'
    value: NumericMode
  }

  export interface TrainingSpecFracBitsFieldEvent {
    field: '$.fracBits'
    value: number
  }

  export interface TrainingSpecDatasetIdFieldEvent {
    field: '$.datasetId'
    value: string
  }

  export interface TrainingSpecDatasetHashFieldEvent {
    field: '$.datasetHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TrainingSpecDatasetBytesFieldEvent {
    field: '$.datasetBytes'
    value: bigint
  }

  export interface TrainingSpecEpochsFieldEvent {
    field: '$.epochs'
    value: number
  }

  export interface TrainingSpecBatchSizeFieldEvent {
    field: '$.batchSize'
    value: number
  }

  export interface TrainingSpecLearningRateMicrosFieldEvent {
    field: '$.learningRateMicros'
    value: number
  }

  export interface TrainingSpecMomentumMicrosFieldEvent {
    field: '$.momentumMicros'
    value: number
  }

  export interface TrainingSpecSeedFieldEvent {
    field: '$.seed'
    value: bigint
  }

  export interface TrainingSpecTierFieldEvent {
    field: '$.tier'
    value: VerificationTier
  }

  export interface TrainingSpecStepsPerSegmentFieldEvent {
    field: '$.stepsPerSegment'
    value: number
  }

  export interface TrainingSpecBackendFieldEvent {
    field: '$.backend'
    value: FloatBackend
  }

  export interface TrainingSpecClientModelModelHashFieldEvent {
    field: '$.clientModel.modelHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TrainingSpecClientModelModelCidFieldEvent {
    field: '$.clientModel.modelCid'
    value: string
  }

  export interface TrainingSpecClientModelModelBytesFieldEvent {
    field: '$.clientModel.modelBytes'
    value: bigint
  }

  export interface TrainingSpecClientModelStepGraphHashFieldEvent {
    field: '$.clientModel.stepGraphHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TrainingSpecClientModelDatasetCidFieldEvent {
    field: '$.clientModel.datasetCid'
    value: string
  }

  export interface TrainingSpecClientModelLossFieldEvent {
    field: '$.clientModel.loss'
    value: LossKind
  }

  export interface TrainingSpecClientModelOptimizerFieldEvent {
    field: '$.clientModel.optimizer'
    value: OptimizerKind
  }

  export interface TrainingSpecClientModelWeightDecayMicrosFieldEvent {
    field: '$.clientModel.weightDecayMicros'
    value: number
  }

  export interface TrainingSpecClientModelBeta1MicrosFieldEvent {
    field: '$.clientModel.beta1Micros'
    value: number
  }

  export interface TrainingSpecClientModelBeta2MicrosFieldEvent {
    field: '$.clientModel.beta2Micros'
    value: number
  }

  export interface TrainingSpecClientModelEpsilonPicosFieldEvent {
    field: '$.clientModel.epsilonPicos'
    value: number
  }

  export interface TrainingSpecClientModelScheduleFieldEvent {
    field: '$.clientModel.schedule'
    value: ScheduleKind
  }

  export interface TrainingSpecClientModelScheduleStepEpochsFieldEvent {
    field: '$.clientModel.scheduleStepEpochs'
    value: number
  }

  export interface TrainingSpecClientModelScheduleGammaMicrosFieldEvent {
    field: '$.clientModel.scheduleGammaMicros'
    value: number
  }

  export interface TrainingSpecClientModelMinLearningRateMicrosFieldEvent {
    field: '$.clientModel.minLearningRateMicros'
    value: number
  }

  export interface TrainingSpecClientModelTrainRowsFieldEvent {
    field: '$.clientModel.trainRows'
    value: bigint
  }

  export interface TrainingSpecClientModelFlopsPerSampleFieldEvent {
    field: '$.clientModel.flopsPerSample'
    value: bigint
  }

  export interface TrainingSpecClientModelBatchMemoryBytesFieldEvent {
    field: '$.clientModel.batchMemoryBytes'
    value: bigint
  }

  export function encode (obj: Partial<TrainingSpec>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TrainingSpec.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TrainingSpec>): TrainingSpec {
    return decodeMessage(buf, TrainingSpec.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TrainingSpec>): Generator<TrainingSpecLayersFieldEvent | TrainingSpecModeFieldEvent | TrainingSpecFracBitsFieldEvent | TrainingSpecDatasetIdFieldEvent | TrainingSpecDatasetHashFieldEvent | TrainingSpecDatasetBytesFieldEvent | TrainingSpecEpochsFieldEvent | TrainingSpecBatchSizeFieldEvent | TrainingSpecLearningRateMicrosFieldEvent | TrainingSpecMomentumMicrosFieldEvent | TrainingSpecSeedFieldEvent | TrainingSpecTierFieldEvent | TrainingSpecStepsPerSegmentFieldEvent | TrainingSpecBackendFieldEvent | TrainingSpecClientModelModelHashFieldEvent | TrainingSpecClientModelModelCidFieldEvent | TrainingSpecClientModelModelBytesFieldEvent | TrainingSpecClientModelStepGraphHashFieldEvent | TrainingSpecClientModelDatasetCidFieldEvent | TrainingSpecClientModelLossFieldEvent | TrainingSpecClientModelOptimizerFieldEvent | TrainingSpecClientModelWeightDecayMicrosFieldEvent | TrainingSpecClientModelBeta1MicrosFieldEvent | TrainingSpecClientModelBeta2MicrosFieldEvent | TrainingSpecClientModelEpsilonPicosFieldEvent | TrainingSpecClientModelScheduleFieldEvent | TrainingSpecClientModelScheduleStepEpochsFieldEvent | TrainingSpecClientModelScheduleGammaMicrosFieldEvent | TrainingSpecClientModelMinLearningRateMicrosFieldEvent | TrainingSpecClientModelTrainRowsFieldEvent | TrainingSpecClientModelFlopsPerSampleFieldEvent | TrainingSpecClientModelBatchMemoryBytesFieldEvent> {
    return streamMessage(buf, TrainingSpec.codec(), opts)
  }
}

export enum LossKind {
  LOSS_CROSS_ENTROPY = 'LOSS_CROSS_ENTROPY',
  LOSS_MSE = 'LOSS_MSE'
}

enum __LossKindValues {
  LOSS_CROSS_ENTROPY = 0,
  LOSS_MSE = 1
}

export namespace LossKind {
  export const codec = (): Codec<LossKind> => {
    return enumeration<LossKind>(__LossKindValues)
  }
}

export enum OptimizerKind {
  OPTIMIZER_SGD = 'OPTIMIZER_SGD',
  OPTIMIZER_ADAM = 'OPTIMIZER_ADAM',
  OPTIMIZER_ADAMW = 'OPTIMIZER_ADAMW'
}

enum __OptimizerKindValues {
  OPTIMIZER_SGD = 0,
  OPTIMIZER_ADAM = 1,
  OPTIMIZER_ADAMW = 2
}

export namespace OptimizerKind {
  export const codec = (): Codec<OptimizerKind> => {
    return enumeration<OptimizerKind>(__OptimizerKindValues)
  }
}

export enum ScheduleKind {
  SCHEDULE_CONSTANT = 'SCHEDULE_CONSTANT',
  SCHEDULE_STEP = 'SCHEDULE_STEP',
  SCHEDULE_COSINE = 'SCHEDULE_COSINE'
}

enum __ScheduleKindValues {
  SCHEDULE_CONSTANT = 0,
  SCHEDULE_STEP = 1,
  SCHEDULE_COSINE = 2
}

export namespace ScheduleKind {
  export const codec = (): Codec<ScheduleKind> => {
    return enumeration<ScheduleKind>(__ScheduleKindValues)
  }
}

export interface ClientModel {
  modelHash: Uint8Array<ArrayBuffer>
  modelCid: string
  modelBytes: bigint
  stepGraphHash: Uint8Array<ArrayBuffer>
  datasetCid: string
  loss: LossKind
  optimizer: OptimizerKind
  weightDecayMicros: number
  beta1Micros: number
  beta2Micros: number
  epsilonPicos: number
  schedule: ScheduleKind
  scheduleStepEpochs: number
  scheduleGammaMicros: number
  minLearningRateMicros: number
  trainRows: bigint
  flopsPerSample: bigint
  batchMemoryBytes: bigint
}

export namespace ClientModel {
  let _codec: Codec<ClientModel>

  export const codec = (): Codec<ClientModel> => {
    if (_codec == null) {
      _codec = message<ClientModel>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.modelHash != null && obj.modelHash.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.modelHash)
        }

        if ((obj.modelCid != null && obj.modelCid !== '')) {
          w.uint32(18)
          w.string(obj.modelCid)
        }

        if ((obj.modelBytes != null && obj.modelBytes !== 0n)) {
          w.uint32(25)
          w.sfixed64(obj.modelBytes)
        }

        if ((obj.stepGraphHash != null && obj.stepGraphHash.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.stepGraphHash)
        }

        if ((obj.datasetCid != null && obj.datasetCid !== '')) {
          w.uint32(42)
          w.string(obj.datasetCid)
        }

        if (obj.loss != null && __LossKindValues[obj.loss] !== 0) {
          w.uint32(48)
          LossKind.codec().encode(obj.loss, w)
        }

        if (obj.optimizer != null && __OptimizerKindValues[obj.optimizer] !== 0) {
          w.uint32(56)
          OptimizerKind.codec().encode(obj.optimizer, w)
        }

        if ((obj.weightDecayMicros != null && obj.weightDecayMicros !== 0)) {
          w.uint32(64)
          w.uint32(obj.weightDecayMicros)
        }

        if ((obj.beta1Micros != null && obj.beta1Micros !== 0)) {
          w.uint32(72)
          w.uint32(obj.beta1Micros)
        }

        if ((obj.beta2Micros != null && obj.beta2Micros !== 0)) {
          w.uint32(80)
          w.uint32(obj.beta2Micros)
        }

        if ((obj.epsilonPicos != null && obj.epsilonPicos !== 0)) {
          w.uint32(88)
          w.uint32(obj.epsilonPicos)
        }

        if (obj.schedule != null && __ScheduleKindValues[obj.schedule] !== 0) {
          w.uint32(96)
          ScheduleKind.codec().encode(obj.schedule, w)
        }

        if ((obj.scheduleStepEpochs != null && obj.scheduleStepEpochs !== 0)) {
          w.uint32(104)
          w.uint32(obj.scheduleStepEpochs)
        }

        if ((obj.scheduleGammaMicros != null && obj.scheduleGammaMicros !== 0)) {
          w.uint32(112)
          w.uint32(obj.scheduleGammaMicros)
        }

        if ((obj.minLearningRateMicros != null && obj.minLearningRateMicros !== 0)) {
          w.uint32(120)
          w.uint32(obj.minLearningRateMicros)
        }

        if ((obj.trainRows != null && obj.trainRows !== 0n)) {
          w.uint32(129)
          w.sfixed64(obj.trainRows)
        }

        if ((obj.flopsPerSample != null && obj.flopsPerSample !== 0n)) {
          w.uint32(137)
          w.sfixed64(obj.flopsPerSample)
        }

        if ((obj.batchMemoryBytes != null && obj.batchMemoryBytes !== 0n)) {
          w.uint32(145)
          w.sfixed64(obj.batchMemoryBytes)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          modelHash: uint8ArrayAlloc(0),
          modelCid: '',
          modelBytes: 0n,
          stepGraphHash: uint8ArrayAlloc(0),
          datasetCid: '',
          loss: LossKind.LOSS_CROSS_ENTROPY,
          optimizer: OptimizerKind.OPTIMIZER_SGD,
          weightDecayMicros: 0,
          beta1Micros: 0,
          beta2Micros: 0,
          epsilonPicos: 0,
          schedule: ScheduleKind.SCHEDULE_CONSTANT,
          scheduleStepEpochs: 0,
          scheduleGammaMicros: 0,
          minLearningRateMicros: 0,
          trainRows: 0n,
          flopsPerSample: 0n,
          batchMemoryBytes: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.modelHash = reader.bytes()
              break
            }
            case 2: {
              obj.modelCid = reader.string()
              break
            }
            case 3: {
              obj.modelBytes = reader.sfixed64()
              break
            }
            case 4: {
              obj.stepGraphHash = reader.bytes()
              break
            }
            case 5: {
              obj.datasetCid = reader.string()
              break
            }
            case 6: {
              obj.loss = LossKind.codec().decode(reader)
              break
            }
            case 7: {
              obj.optimizer = OptimizerKind.codec().decode(reader)
              break
            }
            case 8: {
              obj.weightDecayMicros = reader.uint32()
              break
            }
            case 9: {
              obj.beta1Micros = reader.uint32()
              break
            }
            case 10: {
              obj.beta2Micros = reader.uint32()
              break
            }
            case 11: {
              obj.epsilonPicos = reader.uint32()
              break
            }
            case 12: {
              obj.schedule = ScheduleKind.codec().decode(reader)
              break
            }
            case 13: {
              obj.scheduleStepEpochs = reader.uint32()
              break
            }
            case 14: {
              obj.scheduleGammaMicros = reader.uint32()
              break
            }
            case 15: {
              obj.minLearningRateMicros = reader.uint32()
              break
            }
            case 16: {
              obj.trainRows = reader.sfixed64()
              break
            }
            case 17: {
              obj.flopsPerSample = reader.sfixed64()
              break
            }
            case 18: {
              obj.batchMemoryBytes = reader.sfixed64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.modelHash`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.modelCid`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.modelBytes`,
                value: reader.sfixed64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.stepGraphHash`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.datasetCid`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.loss`,
                value: LossKind.codec().decode(reader)
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.optimizer`,
                value: OptimizerKind.codec().decode(reader)
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.weightDecayMicros`,
                value: reader.uint32()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.beta1Micros`,
                value: reader.uint32()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.beta2Micros`,
                value: reader.uint32()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.epsilonPicos`,
                value: reader.uint32()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.schedule`,
                value: ScheduleKind.codec().decode(reader)
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.scheduleStepEpochs`,
                value: reader.uint32()
              }
              break
            }
            case 14: {
              yield {
                field: `${prefix}.scheduleGammaMicros`,
                value: reader.uint32()
              }
              break
            }
            case 15: {
              yield {
                field: `${prefix}.minLearningRateMicros`,
                value: reader.uint32()
              }
              break
            }
            case 16: {
              yield {
                field: `${prefix}.trainRows`,
                value: reader.sfixed64()
              }
              break
            }
            case 17: {
              yield {
                field: `${prefix}.flopsPerSample`,
                value: reader.sfixed64()
              }
              break
            }
            case 18: {
              yield {
                field: `${prefix}.batchMemoryBytes`,
                value: reader.sfixed64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ClientModelModelHashFieldEvent {
    field: '$.modelHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ClientModelModelCidFieldEvent {
    field: '$.modelCid'
    value: string
  }

  export interface ClientModelModelBytesFieldEvent {
    field: '$.modelBytes'
    value: bigint
  }

  export interface ClientModelStepGraphHashFieldEvent {
    field: '$.stepGraphHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ClientModelDatasetCidFieldEvent {
    field: '$.datasetCid'
    value: string
  }

  export interface ClientModelLossFieldEvent {
    field: '$.loss'
    value: LossKind
  }

  export interface ClientModelOptimizerFieldEvent {
    field: '$.optimizer'
    value: OptimizerKind
  }

  export interface ClientModelWeightDecayMicrosFieldEvent {
    field: '$.weightDecayMicros'
    value: number
  }

  export interface ClientModelBeta1MicrosFieldEvent {
    field: '$.beta1Micros'
    value: number
  }

  export interface ClientModelBeta2MicrosFieldEvent {
    field: '$.beta2Micros'
    value: number
  }

  export interface ClientModelEpsilonPicosFieldEvent {
    field: '$.epsilonPicos'
    value: number
  }

  export interface ClientModelScheduleFieldEvent {
    field: '$.schedule'
    value: ScheduleKind
  }

  export interface ClientModelScheduleStepEpochsFieldEvent {
    field: '$.scheduleStepEpochs'
    value: number
  }

  export interface ClientModelScheduleGammaMicrosFieldEvent {
    field: '$.scheduleGammaMicros'
    value: number
  }

  export interface ClientModelMinLearningRateMicrosFieldEvent {
    field: '$.minLearningRateMicros'
    value: number
  }

  export interface ClientModelTrainRowsFieldEvent {
    field: '$.trainRows'
    value: bigint
  }

  export interface ClientModelFlopsPerSampleFieldEvent {
    field: '$.flopsPerSample'
    value: bigint
  }

  export interface ClientModelBatchMemoryBytesFieldEvent {
    field: '$.batchMemoryBytes'
    value: bigint
  }

  export function encode (obj: Partial<ClientModel>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ClientModel.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ClientModel>): ClientModel {
    return decodeMessage(buf, ClientModel.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ClientModel>): Generator<ClientModelModelHashFieldEvent | ClientModelModelCidFieldEvent | ClientModelModelBytesFieldEvent | ClientModelStepGraphHashFieldEvent | ClientModelDatasetCidFieldEvent | ClientModelLossFieldEvent | ClientModelOptimizerFieldEvent | ClientModelWeightDecayMicrosFieldEvent | ClientModelBeta1MicrosFieldEvent | ClientModelBeta2MicrosFieldEvent | ClientModelEpsilonPicosFieldEvent | ClientModelScheduleFieldEvent | ClientModelScheduleStepEpochsFieldEvent | ClientModelScheduleGammaMicrosFieldEvent | ClientModelMinLearningRateMicrosFieldEvent | ClientModelTrainRowsFieldEvent | ClientModelFlopsPerSampleFieldEvent | ClientModelBatchMemoryBytesFieldEvent> {
    return streamMessage(buf, ClientModel.codec(), opts)
  }
}

export interface JobAnnounce {
  jobId: Uint8Array<ArrayBuffer>
  specHash: Uint8Array<ArrayBuffer>
  spec?: TrainingSpec
  maxPrice: bigint
  estimatedSeconds: number
  priority: Priority
  clientPeerId: Uint8Array<ArrayBuffer>
  clientAddrs: Uint8Array<ArrayBuffer>[]
  issuedAt: bigint
  bidDeadline: bigint
  resume?: ResumePoint
}

export namespace JobAnnounce {
  let _codec: Codec<JobAnnounce>

  export const codec = (): Codec<JobAnnounce> => {
    if (_codec == null) {
      _codec = message<JobAnnounce>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.jobId != null && obj.jobId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.jobId)
        }

        if ((obj.specHash != null && obj.specHash.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.specHash)
        }

        if (obj.spec != null) {
          w.uint32(26)
          TrainingSpec.codec().encode(obj.spec, w)
        }

        if ((obj.maxPrice != null && obj.maxPrice !== 0n)) {
          w.uint32(33)
          w.sfixed64(obj.maxPrice)
        }

        if ((obj.estimatedSeconds != null && obj.estimatedSeconds !== 0)) {
          w.uint32(40)
          w.uint32(obj.estimatedSeconds)
        }

        if (obj.priority != null && __PriorityValues[obj.priority] !== 0) {
          w.uint32(48)
          Priority.codec().encode(obj.priority, w)
        }

        if ((obj.clientPeerId != null && obj.clientPeerId.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.clientPeerId)
        }

        if (obj.clientAddrs != null && obj.clientAddrs.length > 0) {
          for (const value of obj.clientAddrs) {
            w.uint32(66)
            w.bytes(value)
          }
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0n)) {
          w.uint32(73)
          w.sfixed64(obj.issuedAt)
        }

        if ((obj.bidDeadline != null && obj.bidDeadline !== 0n)) {
          w.uint32(81)
          w.sfixed64(obj.bidDeadline)
        }

        if (obj.resume != null) {
          w.uint32(90)
          ResumePoint.codec().encode(obj.resume, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          jobId: uint8ArrayAlloc(0),
          specHash: uint8ArrayAlloc(0),
          maxPrice: 0n,
          estimatedSeconds: 0,
          priority: Priority.PRIORITY_NORMAL,
          clientPeerId: uint8ArrayAlloc(0),
          clientAddrs: [],
          issuedAt: 0n,
          bidDeadline: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.jobId = reader.bytes()
              break
            }
            case 2: {
              obj.specHash = reader.bytes()
              break
            }
            case 3: {
              obj.spec = TrainingSpec.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.spec
              })
              break
            }
            case 4: {
              obj.maxPrice = reader.sfixed64()
              break
            }
            case 5: {
              obj.estimatedSeconds = reader.uint32()
              break
            }
            case 6: {
              obj.priority = Priority.codec().decode(reader)
              break
            }
            case 7: {
              obj.clientPeerId = reader.bytes()
              break
            }
            case 8: {
              if (opts.limits?.clientAddrs != null && obj.clientAddrs.length === opts.limits.clientAddrs) {
                throw new MaxLengthError('Decode error - repeated field "clientAddrs" had too many elements')
              }

              obj.clientAddrs.push(reader.bytes())
              break
            }
            case 9: {
              obj.issuedAt = reader.sfixed64()
              break
            }
            case 10: {
              obj.bidDeadline = reader.sfixed64()
              break
            }
            case 11: {
              obj.resume = ResumePoint.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.resume
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          clientAddrs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.jobId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.specHash`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield * TrainingSpec.codec().stream(reader, reader.uint32(), `${prefix}.spec`, {
                limits: opts.limits?.spec
              })

              break
            }
            case 4: {
              yield {
                field: `${prefix}.maxPrice`,
                value: reader.sfixed64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.estimatedSeconds`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.priority`,
                value: Priority.codec().decode(reader)
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.clientPeerId`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              if (opts.limits?.clientAddrs != null && obj.clientAddrs === opts.limits.clientAddrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "clientAddrs" had too many elements')
              }

              yield {
                field: `${prefix}.clientAddrs[]`,
                index: obj.clientAddrs,
                value: reader.bytes()
              }

              obj.clientAddrs++

              break
            }
            case 9: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.sfixed64()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.bidDeadline`,
                value: reader.sfixed64()
              }
              break
            }
            case 11: {
              yield * ResumePoint.codec().stream(reader, reader.uint32(), `${prefix}.resume`, {
                limits: opts.limits?.resume
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface JobAnnounceJobIdFieldEvent {
    field: '$.jobId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobAnnounceSpecHashFieldEvent {
    field: '$.specHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobAnnounceSpecLayersFieldEvent {
    field: '$.spec.layers[]'
    index: number
    value: number
  }

  export interface JobAnnounceSpecModeFieldEvent {
    field: '$.spec.mode'
    value: NumericMode
  }

  export interface JobAnnounceSpecFracBitsFieldEvent {
    field: '$.spec.fracBits'
    value: number
  }

  export interface JobAnnounceSpecDatasetIdFieldEvent {
    field: '$.spec.datasetId'
    value: string
  }

  export interface JobAnnounceSpecDatasetHashFieldEvent {
    field: '$.spec.datasetHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobAnnounceSpecDatasetBytesFieldEvent {
    field: '$.spec.datasetBytes'
    value: bigint
  }

  export interface JobAnnounceSpecEpochsFieldEvent {
    field: '$.spec.epochs'
    value: number
  }

  export interface JobAnnounceSpecBatchSizeFieldEvent {
    field: '$.spec.batchSize'
    value: number
  }

  export interface JobAnnounceSpecLearningRateMicrosFieldEvent {
    field: '$.spec.learningRateMicros'
    value: number
  }

  export interface JobAnnounceSpecMomentumMicrosFieldEvent {
    field: '$.spec.momentumMicros'
    value: number
  }

  export interface JobAnnounceSpecSeedFieldEvent {
    field: '$.spec.seed'
    value: bigint
  }

  export interface JobAnnounceSpecTierFieldEvent {
    field: '$.spec.tier'
    value: VerificationTier
  }

  export interface JobAnnounceSpecStepsPerSegmentFieldEvent {
    field: '$.spec.stepsPerSegment'
    value: number
  }

  export interface JobAnnounceSpecBackendFieldEvent {
    field: '$.spec.backend'
    value: FloatBackend
  }

  export interface JobAnnounceSpecClientModelModelHashFieldEvent {
    field: '$.spec.clientModel.modelHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobAnnounceSpecClientModelModelCidFieldEvent {
    field: '$.spec.clientModel.modelCid'
    value: string
  }

  export interface JobAnnounceSpecClientModelModelBytesFieldEvent {
    field: '$.spec.clientModel.modelBytes'
    value: bigint
  }

  export interface JobAnnounceSpecClientModelStepGraphHashFieldEvent {
    field: '$.spec.clientModel.stepGraphHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobAnnounceSpecClientModelDatasetCidFieldEvent {
    field: '$.spec.clientModel.datasetCid'
    value: string
  }

  export interface JobAnnounceSpecClientModelLossFieldEvent {
    field: '$.spec.clientModel.loss'
    value: LossKind
  }

  export interface JobAnnounceSpecClientModelOptimizerFieldEvent {
    field: '$.spec.clientModel.optimizer'
    value: OptimizerKind
  }

  export interface JobAnnounceSpecClientModelWeightDecayMicrosFieldEvent {
    field: '$.spec.clientModel.weightDecayMicros'
    value: number
  }

  export interface JobAnnounceSpecClientModelBeta1MicrosFieldEvent {
    field: '$.spec.clientModel.beta1Micros'
    value: number
  }

  export interface JobAnnounceSpecClientModelBeta2MicrosFieldEvent {
    field: '$.spec.clientModel.beta2Micros'
    value: number
  }

  export interface JobAnnounceSpecClientModelEpsilonPicosFieldEvent {
    field: '$.spec.clientModel.epsilonPicos'
    value: number
  }

  export interface JobAnnounceSpecClientModelScheduleFieldEvent {
    field: '$.spec.clientModel.schedule'
    value: ScheduleKind
  }

  export interface JobAnnounceSpecClientModelScheduleStepEpochsFieldEvent {
    field: '$.spec.clientModel.scheduleStepEpochs'
    value: number
  }

  export interface JobAnnounceSpecClientModelScheduleGammaMicrosFieldEvent {
    field: '$.spec.clientModel.scheduleGammaMicros'
    value: number
  }

  export interface JobAnnounceSpecClientModelMinLearningRateMicrosFieldEvent {
    field: '$.spec.clientModel.minLearningRateMicros'
    value: number
  }

  export interface JobAnnounceSpecClientModelTrainRowsFieldEvent {
    field: '$.spec.clientModel.trainRows'
    value: bigint
  }

  export interface JobAnnounceSpecClientModelFlopsPerSampleFieldEvent {
    field: '$.spec.clientModel.flopsPerSample'
    value: bigint
  }

  export interface JobAnnounceSpecClientModelBatchMemoryBytesFieldEvent {
    field: '$.spec.clientModel.batchMemoryBytes'
    value: bigint
  }

  export interface JobAnnounceMaxPriceFieldEvent {
    field: '$.maxPrice'
    value: bigint
  }

  export interface JobAnnounceEstimatedSecondsFieldEvent {
    field: '$.estimatedSeconds'
    value: number
  }

  export interface JobAnnouncePriorityFieldEvent {
    field: '$.priority'
    value: Priority
  }

  export interface JobAnnounceClientPeerIdFieldEvent {
    field: '$.clientPeerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobAnnounceClientAddrsFieldEvent {
    field: '$.clientAddrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobAnnounceIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: bigint
  }

  export interface JobAnnounceBidDeadlineFieldEvent {
    field: '$.bidDeadline'
    value: bigint
  }

  export interface JobAnnounceResumeHandoverFieldEvent {
    field: '$.resume.handover'
    value: number
  }

  export interface JobAnnounceResumeEpochFieldEvent {
    field: '$.resume.epoch'
    value: number
  }

  export interface JobAnnounceResumeCheckpointCidFieldEvent {
    field: '$.resume.checkpointCid'
    value: string
  }

  export function encode (obj: Partial<JobAnnounce>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, JobAnnounce.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobAnnounce>): JobAnnounce {
    return decodeMessage(buf, JobAnnounce.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobAnnounce>): Generator<JobAnnounceJobIdFieldEvent | JobAnnounceSpecHashFieldEvent | JobAnnounceSpecLayersFieldEvent | JobAnnounceSpecModeFieldEvent | JobAnnounceSpecFracBitsFieldEvent | JobAnnounceSpecDatasetIdFieldEvent | JobAnnounceSpecDatasetHashFieldEvent | JobAnnounceSpecDatasetBytesFieldEvent | JobAnnounceSpecEpochsFieldEvent | JobAnnounceSpecBatchSizeFieldEvent | JobAnnounceSpecLearningRateMicrosFieldEvent | JobAnnounceSpecMomentumMicrosFieldEvent | JobAnnounceSpecSeedFieldEvent | JobAnnounceSpecTierFieldEvent | JobAnnounceSpecStepsPerSegmentFieldEvent | JobAnnounceSpecBackendFieldEvent | JobAnnounceSpecClientModelModelHashFieldEvent | JobAnnounceSpecClientModelModelCidFieldEvent | JobAnnounceSpecClientModelModelBytesFieldEvent | JobAnnounceSpecClientModelStepGraphHashFieldEvent | JobAnnounceSpecClientModelDatasetCidFieldEvent | JobAnnounceSpecClientModelLossFieldEvent | JobAnnounceSpecClientModelOptimizerFieldEvent | JobAnnounceSpecClientModelWeightDecayMicrosFieldEvent | JobAnnounceSpecClientModelBeta1MicrosFieldEvent | JobAnnounceSpecClientModelBeta2MicrosFieldEvent | JobAnnounceSpecClientModelEpsilonPicosFieldEvent | JobAnnounceSpecClientModelScheduleFieldEvent | JobAnnounceSpecClientModelScheduleStepEpochsFieldEvent | JobAnnounceSpecClientModelScheduleGammaMicrosFieldEvent | JobAnnounceSpecClientModelMinLearningRateMicrosFieldEvent | JobAnnounceSpecClientModelTrainRowsFieldEvent | JobAnnounceSpecClientModelFlopsPerSampleFieldEvent | JobAnnounceSpecClientModelBatchMemoryBytesFieldEvent | JobAnnounceMaxPriceFieldEvent | JobAnnounceEstimatedSecondsFieldEvent | JobAnnouncePriorityFieldEvent | JobAnnounceClientPeerIdFieldEvent | JobAnnounceClientAddrsFieldEvent | JobAnnounceIssuedAtFieldEvent | JobAnnounceBidDeadlineFieldEvent | JobAnnounceResumeHandoverFieldEvent | JobAnnounceResumeEpochFieldEvent | JobAnnounceResumeCheckpointCidFieldEvent> {
    return streamMessage(buf, JobAnnounce.codec(), opts)
  }
}

export interface ResumePoint {
  handover: number
  epoch: number
  checkpointCid: string
}

export namespace ResumePoint {
  let _codec: Codec<ResumePoint>

  export const codec = (): Codec<ResumePoint> => {
    if (_codec == null) {
      _codec = message<ResumePoint>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.handover != null && obj.handover !== 0)) {
          w.uint32(8)
          w.uint32(obj.handover)
        }

        if ((obj.epoch != null && obj.epoch !== 0)) {
          w.uint32(16)
          w.uint32(obj.epoch)
        }

        if ((obj.checkpointCid != null && obj.checkpointCid !== '')) {
          w.uint32(26)
          w.string(obj.checkpointCid)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          handover: 0,
          epoch: 0,
          checkpointCid: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.handover = reader.uint32()
              break
            }
            case 2: {
              obj.epoch = reader.uint32()
              break
            }
            case 3: {
              obj.checkpointCid = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.handover`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.epoch`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.checkpointCid`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ResumePointHandoverFieldEvent {
    field: '$.handover'
    value: number
  }

  export interface ResumePointEpochFieldEvent {
    field: '$.epoch'
    value: number
  }

  export interface ResumePointCheckpointCidFieldEvent {
    field: '$.checkpointCid'
    value: string
  }

  export function encode (obj: Partial<ResumePoint>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ResumePoint.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResumePoint>): ResumePoint {
    return decodeMessage(buf, ResumePoint.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResumePoint>): Generator<ResumePointHandoverFieldEvent | ResumePointEpochFieldEvent | ResumePointCheckpointCidFieldEvent> {
    return streamMessage(buf, ResumePoint.codec(), opts)
  }
}

export interface Bid {
  jobId: Uint8Array<ArrayBuffer>
  workerPeerId: Uint8Array<ArrayBuffer>
  price: bigint
  etaSeconds: number
  stake: bigint
  reputation: number
  issuedAt: bigint
  profile?: DeterminismProfile
}

export namespace Bid {
  let _codec: Codec<Bid>

  export const codec = (): Codec<Bid> => {
    if (_codec == null) {
      _codec = message<Bid>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.jobId != null && obj.jobId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.jobId)
        }

        if ((obj.workerPeerId != null && obj.workerPeerId.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.workerPeerId)
        }

        if ((obj.price != null && obj.price !== 0n)) {
          w.uint32(25)
          w.sfixed64(obj.price)
        }

        if ((obj.etaSeconds != null && obj.etaSeconds !== 0)) {
          w.uint32(32)
          w.uint32(obj.etaSeconds)
        }

        if ((obj.stake != null && obj.stake !== 0n)) {
          w.uint32(41)
          w.sfixed64(obj.stake)
        }

        if ((obj.reputation != null && obj.reputation !== 0)) {
          w.uint32(48)
          w.uint32(obj.reputation)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0n)) {
          w.uint32(57)
          w.sfixed64(obj.issuedAt)
        }

        if (obj.profile != null) {
          w.uint32(66)
          DeterminismProfile.codec().encode(obj.profile, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          jobId: uint8ArrayAlloc(0),
          workerPeerId: uint8ArrayAlloc(0),
          price: 0n,
          etaSeconds: 0,
          stake: 0n,
          reputation: 0,
          issuedAt: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.jobId = reader.bytes()
              break
            }
            case 2: {
              obj.workerPeerId = reader.bytes()
              break
            }
            case 3: {
              obj.price = reader.sfixed64()
              break
            }
            case 4: {
              obj.etaSeconds = reader.uint32()
              break
            }
            case 5: {
              obj.stake = reader.sfixed64()
              break
            }
            case 6: {
              obj.reputation = reader.uint32()
              break
            }
            case 7: {
              obj.issuedAt = reader.sfixed64()
              break
            }
            case 8: {
              obj.profile = DeterminismProfile.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.profile
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.jobId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.workerPeerId`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.price`,
                value: reader.sfixed64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.etaSeconds`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.stake`,
                value: reader.sfixed64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.reputation`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.sfixed64()
              }
              break
            }
            case 8: {
              yield * DeterminismProfile.codec().stream(reader, reader.uint32(), `${prefix}.profile`, {
                limits: opts.limits?.profile
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface BidJobIdFieldEvent {
    field: '$.jobId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BidWorkerPeerIdFieldEvent {
    field: '$.workerPeerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BidPriceFieldEvent {
    field: '$.price'
    value: bigint
  }

  export interface BidEtaSecondsFieldEvent {
    field: '$.etaSeconds'
    value: number
  }

  export interface BidStakeFieldEvent {
    field: '$.stake'
    value: bigint
  }

  export interface BidReputationFieldEvent {
    field: '$.reputation'
    value: number
  }

  export interface BidIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: bigint
  }

  export interface BidProfileRuntimeFieldEvent {
    field: '$.profile.runtime'
    value: string
  }

  export interface BidProfileRuntimeVersionFieldEvent {
    field: '$.profile.runtimeVersion'
    value: string
  }

  export interface BidProfileBackendFieldEvent {
    field: '$.profile.backend'
    value: string
  }

  export interface BidProfileCpuClassFieldEvent {
    field: '$.profile.cpuClass'
    value: string
  }

  export function encode (obj: Partial<Bid>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Bid.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Bid>): Bid {
    return decodeMessage(buf, Bid.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Bid>): Generator<BidJobIdFieldEvent | BidWorkerPeerIdFieldEvent | BidPriceFieldEvent | BidEtaSecondsFieldEvent | BidStakeFieldEvent | BidReputationFieldEvent | BidIssuedAtFieldEvent | BidProfileRuntimeFieldEvent | BidProfileRuntimeVersionFieldEvent | BidProfileBackendFieldEvent | BidProfileCpuClassFieldEvent> {
    return streamMessage(buf, Bid.codec(), opts)
  }
}

export interface Award {
  jobId: Uint8Array<ArrayBuffer>
  worker: Uint8Array<ArrayBuffer>
  escrow: Uint8Array<ArrayBuffer>
  amount: bigint
  specHash: Uint8Array<ArrayBuffer>
  spec?: TrainingSpec
  issuedAt: bigint
  resume?: ResumePoint
}

export namespace Award {
  let _codec: Codec<Award>

  export const codec = (): Codec<Award> => {
    if (_codec == null) {
      _codec = message<Award>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.jobId != null && obj.jobId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.jobId)
        }

        if ((obj.worker != null && obj.worker.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.worker)
        }

        if ((obj.escrow != null && obj.escrow.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.escrow)
        }

        if ((obj.amount != null && obj.amount !== 0n)) {
          w.uint32(33)
          w.sfixed64(obj.amount)
        }

        if ((obj.specHash != null && obj.specHash.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.specHash)
        }

        if (obj.spec != null) {
          w.uint32(50)
          TrainingSpec.codec().encode(obj.spec, w)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0n)) {
          w.uint32(57)
          w.sfixed64(obj.issuedAt)
        }

        if (obj.resume != null) {
          w.uint32(66)
          ResumePoint.codec().encode(obj.resume, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          jobId: uint8ArrayAlloc(0),
          worker: uint8ArrayAlloc(0),
          escrow: uint8ArrayAlloc(0),
          amount: 0n,
          specHash: uint8ArrayAlloc(0),
          issuedAt: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.jobId = reader.bytes()
              break
            }
            case 2: {
              obj.worker = reader.bytes()
              break
            }
            case 3: {
              obj.escrow = reader.bytes()
              break
            }
            case 4: {
              obj.amount = reader.sfixed64()
              break
            }
            case 5: {
              obj.specHash = reader.bytes()
              break
            }
            case 6: {
              obj.spec = TrainingSpec.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.spec
              })
              break
            }
            case 7: {
              obj.issuedAt = reader.sfixed64()
              break
            }
            case 8: {
              obj.resume = ResumePoint.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.resume
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.jobId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.worker`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.escrow`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.amount`,
                value: reader.sfixed64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.specHash`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield * TrainingSpec.codec().stream(reader, reader.uint32(), `${prefix}.spec`, {
                limits: opts.limits?.spec
              })

              break
            }
            case 7: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.sfixed64()
              }
              break
            }
            case 8: {
              yield * ResumePoint.codec().stream(reader, reader.uint32(), `${prefix}.resume`, {
                limits: opts.limits?.resume
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AwardJobIdFieldEvent {
    field: '$.jobId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AwardWorkerFieldEvent {
    field: '$.worker'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AwardEscrowFieldEvent {
    field: '$.escrow'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AwardAmountFieldEvent {
    field: '$.amount'
    value: bigint
  }

  export interface AwardSpecHashFieldEvent {
    field: '$.specHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AwardSpecLayersFieldEvent {
    field: '$.spec.layers[]'
    index: number
    value: number
  }

  export interface AwardSpecModeFieldEvent {
    field: '$.spec.mode'
    value: NumericMode
  }

  export interface AwardSpecFracBitsFieldEvent {
    field: '$.spec.fracBits'
    value: number
  }

  export interface AwardSpecDatasetIdFieldEvent {
    field: '$.spec.datasetId'
    value: string
  }

  export interface AwardSpecDatasetHashFieldEvent {
    field: '$.spec.datasetHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AwardSpecDatasetBytesFieldEvent {
    field: '$.spec.datasetBytes'
    value: bigint
  }

  export interface AwardSpecEpochsFieldEvent {
    field: '$.spec.epochs'
    value: number
  }

  export interface AwardSpecBatchSizeFieldEvent {
    field: '$.spec.batchSize'
    value: number
  }

  export interface AwardSpecLearningRateMicrosFieldEvent {
    field: '$.spec.learningRateMicros'
    value: number
  }

  export interface AwardSpecMomentumMicrosFieldEvent {
    field: '$.spec.momentumMicros'
    value: number
  }

  export interface AwardSpecSeedFieldEvent {
    field: '$.spec.seed'
    value: bigint
  }

  export interface AwardSpecTierFieldEvent {
    field: '$.spec.tier'
    value: VerificationTier
  }

  export interface AwardSpecStepsPerSegmentFieldEvent {
    field: '$.spec.stepsPerSegment'
    value: number
  }

  export interface AwardSpecBackendFieldEvent {
    field: '$.spec.backend'
    value: FloatBackend
  }

  export interface AwardSpecClientModelModelHashFieldEvent {
    field: '$.spec.clientModel.modelHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AwardSpecClientModelModelCidFieldEvent {
    field: '$.spec.clientModel.modelCid'
    value: string
  }

  export interface AwardSpecClientModelModelBytesFieldEvent {
    field: '$.spec.clientModel.modelBytes'
    value: bigint
  }

  export interface AwardSpecClientModelStepGraphHashFieldEvent {
    field: '$.spec.clientModel.stepGraphHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AwardSpecClientModelDatasetCidFieldEvent {
    field: '$.spec.clientModel.datasetCid'
    value: string
  }

  export interface AwardSpecClientModelLossFieldEvent {
    field: '$.spec.clientModel.loss'
    value: LossKind
  }

  export interface AwardSpecClientModelOptimizerFieldEvent {
    field: '$.spec.clientModel.optimizer'
    value: OptimizerKind
  }

  export interface AwardSpecClientModelWeightDecayMicrosFieldEvent {
    field: '$.spec.clientModel.weightDecayMicros'
    value: number
  }

  export interface AwardSpecClientModelBeta1MicrosFieldEvent {
    field: '$.spec.clientModel.beta1Micros'
    value: number
  }

  export interface AwardSpecClientModelBeta2MicrosFieldEvent {
    field: '$.spec.clientModel.beta2Micros'
    value: number
  }

  export interface AwardSpecClientModelEpsilonPicosFieldEvent {
    field: '$.spec.clientModel.epsilonPicos'
    value: number
  }

  export interface AwardSpecClientModelScheduleFieldEvent {
    field: '$.spec.clientModel.schedule'
    value: ScheduleKind
  }

  export interface AwardSpecClientModelScheduleStepEpochsFieldEvent {
    field: '$.spec.clientModel.scheduleStepEpochs'
    value: number
  }

  export interface AwardSpecClientModelScheduleGammaMicrosFieldEvent {
    field: '$.spec.clientModel.scheduleGammaMicros'
    value: number
  }

  export interface AwardSpecClientModelMinLearningRateMicrosFieldEvent {
    field: '$.spec.clientModel.minLearningRateMicros'
    value: number
  }

  export interface AwardSpecClientModelTrainRowsFieldEvent {
    field: '$.spec.clientModel.trainRows'
    value: bigint
  }

  export interface AwardSpecClientModelFlopsPerSampleFieldEvent {
    field: '$.spec.clientModel.flopsPerSample'
    value: bigint
  }

  export interface AwardSpecClientModelBatchMemoryBytesFieldEvent {
    field: '$.spec.clientModel.batchMemoryBytes'
    value: bigint
  }

  export interface AwardIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: bigint
  }

  export interface AwardResumeHandoverFieldEvent {
    field: '$.resume.handover'
    value: number
  }

  export interface AwardResumeEpochFieldEvent {
    field: '$.resume.epoch'
    value: number
  }

  export interface AwardResumeCheckpointCidFieldEvent {
    field: '$.resume.checkpointCid'
    value: string
  }

  export function encode (obj: Partial<Award>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Award.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Award>): Award {
    return decodeMessage(buf, Award.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Award>): Generator<AwardJobIdFieldEvent | AwardWorkerFieldEvent | AwardEscrowFieldEvent | AwardAmountFieldEvent | AwardSpecHashFieldEvent | AwardSpecLayersFieldEvent | AwardSpecModeFieldEvent | AwardSpecFracBitsFieldEvent | AwardSpecDatasetIdFieldEvent | AwardSpecDatasetHashFieldEvent | AwardSpecDatasetBytesFieldEvent | AwardSpecEpochsFieldEvent | AwardSpecBatchSizeFieldEvent | AwardSpecLearningRateMicrosFieldEvent | AwardSpecMomentumMicrosFieldEvent | AwardSpecSeedFieldEvent | AwardSpecTierFieldEvent | AwardSpecStepsPerSegmentFieldEvent | AwardSpecBackendFieldEvent | AwardSpecClientModelModelHashFieldEvent | AwardSpecClientModelModelCidFieldEvent | AwardSpecClientModelModelBytesFieldEvent | AwardSpecClientModelStepGraphHashFieldEvent | AwardSpecClientModelDatasetCidFieldEvent | AwardSpecClientModelLossFieldEvent | AwardSpecClientModelOptimizerFieldEvent | AwardSpecClientModelWeightDecayMicrosFieldEvent | AwardSpecClientModelBeta1MicrosFieldEvent | AwardSpecClientModelBeta2MicrosFieldEvent | AwardSpecClientModelEpsilonPicosFieldEvent | AwardSpecClientModelScheduleFieldEvent | AwardSpecClientModelScheduleStepEpochsFieldEvent | AwardSpecClientModelScheduleGammaMicrosFieldEvent | AwardSpecClientModelMinLearningRateMicrosFieldEvent | AwardSpecClientModelTrainRowsFieldEvent | AwardSpecClientModelFlopsPerSampleFieldEvent | AwardSpecClientModelBatchMemoryBytesFieldEvent | AwardIssuedAtFieldEvent | AwardResumeHandoverFieldEvent | AwardResumeEpochFieldEvent | AwardResumeCheckpointCidFieldEvent> {
    return streamMessage(buf, Award.codec(), opts)
  }
}

export interface DataChunk {
  index: number
  data: Uint8Array<ArrayBuffer>
}

export namespace DataChunk {
  let _codec: Codec<DataChunk>

  export const codec = (): Codec<DataChunk> => {
    if (_codec == null) {
      _codec = message<DataChunk>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint32(obj.index)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint32()
              break
            }
            case 2: {
              obj.data = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.data`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DataChunkIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface DataChunkDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<DataChunk>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DataChunk.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DataChunk>): DataChunk {
    return decodeMessage(buf, DataChunk.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DataChunk>): Generator<DataChunkIndexFieldEvent | DataChunkDataFieldEvent> {
    return streamMessage(buf, DataChunk.codec(), opts)
  }
}

export interface DataEnd {
  chunks: number
  totalBytes: bigint
  sha256: Uint8Array<ArrayBuffer>
}

export namespace DataEnd {
  let _codec: Codec<DataEnd>

  export const codec = (): Codec<DataEnd> => {
    if (_codec == null) {
      _codec = message<DataEnd>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.chunks != null && obj.chunks !== 0)) {
          w.uint32(8)
          w.uint32(obj.chunks)
        }

        if ((obj.totalBytes != null && obj.totalBytes !== 0n)) {
          w.uint32(17)
          w.sfixed64(obj.totalBytes)
        }

        if ((obj.sha256 != null && obj.sha256.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.sha256)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          chunks: 0,
          totalBytes: 0n,
          sha256: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.chunks = reader.uint32()
              break
            }
            case 2: {
              obj.totalBytes = reader.sfixed64()
              break
            }
            case 3: {
              obj.sha256 = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.chunks`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.totalBytes`,
                value: reader.sfixed64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.sha256`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DataEndChunksFieldEvent {
    field: '$.chunks'
    value: number
  }

  export interface DataEndTotalBytesFieldEvent {
    field: '$.totalBytes'
    value: bigint
  }

  export interface DataEndSha256FieldEvent {
    field: '$.sha256'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<DataEnd>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DataEnd.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DataEnd>): DataEnd {
    return decodeMessage(buf, DataEnd.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DataEnd>): Generator<DataEndChunksFieldEvent | DataEndTotalBytesFieldEvent | DataEndSha256FieldEvent> {
    return streamMessage(buf, DataEnd.codec(), opts)
  }
}

export interface Metrics {
  epoch: number
  totalEpochs: number
  step: number
  loss: number
  trainAccuracy: number
  testAccuracy: number
  timestamp: bigint
}

export namespace Metrics {
  let _codec: Codec<Metrics>

  export const codec = (): Codec<Metrics> => {
    if (_codec == null) {
      _codec = message<Metrics>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.epoch != null && obj.epoch !== 0)) {
          w.uint32(8)
          w.uint32(obj.epoch)
        }

        if ((obj.totalEpochs != null && obj.totalEpochs !== 0)) {
          w.uint32(16)
          w.uint32(obj.totalEpochs)
        }

        if ((obj.step != null && obj.step !== 0)) {
          w.uint32(24)
          w.uint32(obj.step)
        }

        if ((obj.loss != null && obj.loss !== 0)) {
          w.uint32(33)
          w.double(obj.loss)
        }

        if ((obj.trainAccuracy != null && obj.trainAccuracy !== 0)) {
          w.uint32(41)
          w.double(obj.trainAccuracy)
        }

        if ((obj.testAccuracy != null && obj.testAccuracy !== 0)) {
          w.uint32(49)
          w.double(obj.testAccuracy)
        }

        if ((obj.timestamp != null && obj.timestamp !== 0n)) {
          w.uint32(57)
          w.sfixed64(obj.timestamp)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          epoch: 0,
          totalEpochs: 0,
          step: 0,
          loss: 0,
          trainAccuracy: 0,
          testAccuracy: 0,
          timestamp: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.epoch = reader.uint32()
              break
            }
            case 2: {
              obj.totalEpochs = reader.uint32()
              break
            }
            case 3: {
              obj.step = reader.uint32()
              break
            }
            case 4: {
              obj.loss = reader.double()
              break
            }
            case 5: {
              obj.trainAccuracy = reader.double()
              break
            }
            case 6: {
              obj.testAccuracy = reader.double()
              break
            }
            case 7: {
              obj.timestamp = reader.sfixed64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.epoch`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.totalEpochs`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.step`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.loss`,
                value: reader.double()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.trainAccuracy`,
                value: reader.double()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.testAccuracy`,
                value: reader.double()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.timestamp`,
                value: reader.sfixed64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MetricsEpochFieldEvent {
    field: '$.epoch'
    value: number
  }

  export interface MetricsTotalEpochsFieldEvent {
    field: '$.totalEpochs'
    value: number
  }

  export interface MetricsStepFieldEvent {
    field: '$.step'
    value: number
  }

  export interface MetricsLossFieldEvent {
    field: '$.loss'
    value: number
  }

  export interface MetricsTrainAccuracyFieldEvent {
    field: '$.trainAccuracy'
    value: number
  }

  export interface MetricsTestAccuracyFieldEvent {
    field: '$.testAccuracy'
    value: number
  }

  export interface MetricsTimestampFieldEvent {
    field: '$.timestamp'
    value: bigint
  }

  export function encode (obj: Partial<Metrics>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Metrics.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Metrics>): Metrics {
    return decodeMessage(buf, Metrics.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Metrics>): Generator<MetricsEpochFieldEvent | MetricsTotalEpochsFieldEvent | MetricsStepFieldEvent | MetricsLossFieldEvent | MetricsTrainAccuracyFieldEvent | MetricsTestAccuracyFieldEvent | MetricsTimestampFieldEvent> {
    return streamMessage(buf, Metrics.codec(), opts)
  }
}

export interface CheckpointNotice {
  epoch: number
  chainHash: Uint8Array<ArrayBuffer>
  merkleRoot: Uint8Array<ArrayBuffer>
  cid: string
}

export namespace CheckpointNotice {
  let _codec: Codec<CheckpointNotice>

  export const codec = (): Codec<CheckpointNotice> => {
    if (_codec == null) {
      _codec = message<CheckpointNotice>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.epoch != null && obj.epoch !== 0)) {
          w.uint32(8)
          w.uint32(obj.epoch)
        }

        if ((obj.chainHash != null && obj.chainHash.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.chainHash)
        }

        if ((obj.merkleRoot != null && obj.merkleRoot.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.merkleRoot)
        }

        if ((obj.cid != null && obj.cid !== '')) {
          w.uint32(34)
          w.string(obj.cid)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          epoch: 0,
          chainHash: uint8ArrayAlloc(0),
          merkleRoot: uint8ArrayAlloc(0),
          cid: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.epoch = reader.uint32()
              break
            }
            case 2: {
              obj.chainHash = reader.bytes()
              break
            }
            case 3: {
              obj.merkleRoot = reader.bytes()
              break
            }
            case 4: {
              obj.cid = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.epoch`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.chainHash`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.merkleRoot`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.cid`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface CheckpointNoticeEpochFieldEvent {
    field: '$.epoch'
    value: number
  }

  export interface CheckpointNoticeChainHashFieldEvent {
    field: '$.chainHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CheckpointNoticeMerkleRootFieldEvent {
    field: '$.merkleRoot'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CheckpointNoticeCidFieldEvent {
    field: '$.cid'
    value: string
  }

  export function encode (obj: Partial<CheckpointNotice>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CheckpointNotice.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CheckpointNotice>): CheckpointNotice {
    return decodeMessage(buf, CheckpointNotice.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CheckpointNotice>): Generator<CheckpointNoticeEpochFieldEvent | CheckpointNoticeChainHashFieldEvent | CheckpointNoticeMerkleRootFieldEvent | CheckpointNoticeCidFieldEvent> {
    return streamMessage(buf, CheckpointNotice.codec(), opts)
  }
}

export interface Delivery {
  weightsHash: Uint8Array<ArrayBuffer>
  weightsBytes: bigint
  evidenceCid: string
  merkleRoot: Uint8Array<ArrayBuffer>
  epochs: number
  finalChainHash: Uint8Array<ArrayBuffer>
}

export namespace Delivery {
  let _codec: Codec<Delivery>

  export const codec = (): Codec<Delivery> => {
    if (_codec == null) {
      _codec = message<Delivery>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.weightsHash != null && obj.weightsHash.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.weightsHash)
        }

        if ((obj.weightsBytes != null && obj.weightsBytes !== 0n)) {
          w.uint32(17)
          w.sfixed64(obj.weightsBytes)
        }

        if ((obj.evidenceCid != null && obj.evidenceCid !== '')) {
          w.uint32(26)
          w.string(obj.evidenceCid)
        }

        if ((obj.merkleRoot != null && obj.merkleRoot.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.merkleRoot)
        }

        if ((obj.epochs != null && obj.epochs !== 0)) {
          w.uint32(40)
          w.uint32(obj.epochs)
        }

        if ((obj.finalChainHash != null && obj.finalChainHash.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.finalChainHash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          weightsHash: uint8ArrayAlloc(0),
          weightsBytes: 0n,
          evidenceCid: '',
          merkleRoot: uint8ArrayAlloc(0),
          epochs: 0,
          finalChainHash: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.weightsHash = reader.bytes()
              break
            }
            case 2: {
              obj.weightsBytes = reader.sfixed64()
              break
            }
            case 3: {
              obj.evidenceCid = reader.string()
              break
            }
            case 4: {
              obj.merkleRoot = reader.bytes()
              break
            }
            case 5: {
              obj.epochs = reader.uint32()
              break
            }
            case 6: {
              obj.finalChainHash = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.weightsHash`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.weightsBytes`,
                value: reader.sfixed64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.evidenceCid`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.merkleRoot`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.epochs`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.finalChainHash`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DeliveryWeightsHashFieldEvent {
    field: '$.weightsHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DeliveryWeightsBytesFieldEvent {
    field: '$.weightsBytes'
    value: bigint
  }

  export interface DeliveryEvidenceCidFieldEvent {
    field: '$.evidenceCid'
    value: string
  }

  export interface DeliveryMerkleRootFieldEvent {
    field: '$.merkleRoot'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DeliveryEpochsFieldEvent {
    field: '$.epochs'
    value: number
  }

  export interface DeliveryFinalChainHashFieldEvent {
    field: '$.finalChainHash'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Delivery>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Delivery.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Delivery>): Delivery {
    return decodeMessage(buf, Delivery.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Delivery>): Generator<DeliveryWeightsHashFieldEvent | DeliveryWeightsBytesFieldEvent | DeliveryEvidenceCidFieldEvent | DeliveryMerkleRootFieldEvent | DeliveryEpochsFieldEvent | DeliveryFinalChainHashFieldEvent> {
    return streamMessage(buf, Delivery.codec(), opts)
  }
}

export enum ErrorCode {
  ERROR_UNSPECIFIED = 'ERROR_UNSPECIFIED',
  MALFORMED = 'MALFORMED',
  TOO_LARGE = 'TOO_LARGE',
  BAD_SIGNATURE = 'BAD_SIGNATURE',
  ESCROW_INVALID = 'ESCROW_INVALID',
  DATA_HASH_MISMATCH = 'DATA_HASH_MISMATCH',
  UNAVAILABLE = 'UNAVAILABLE',
  INTERNAL = 'INTERNAL'
}

enum __ErrorCodeValues {
  ERROR_UNSPECIFIED = 0,
  MALFORMED = 1,
  TOO_LARGE = 2,
  BAD_SIGNATURE = 3,
  ESCROW_INVALID = 4,
  DATA_HASH_MISMATCH = 5,
  UNAVAILABLE = 6,
  INTERNAL = 7
}

export namespace ErrorCode {
  export const codec = (): Codec<ErrorCode> => {
    return enumeration<ErrorCode>(__ErrorCodeValues)
  }
}

export interface Error {
  code: ErrorCode
  message: string
}

export namespace Error {
  let _codec: Codec<Error>

  export const codec = (): Codec<Error> => {
    if (_codec == null) {
      _codec = message<Error>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.code != null && __ErrorCodeValues[obj.code] !== 0) {
          w.uint32(8)
          ErrorCode.codec().encode(obj.code, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: ErrorCode.ERROR_UNSPECIFIED,
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.code = ErrorCode.codec().decode(reader)
              break
            }
            case 2: {
              obj.message = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.code`,
                value: ErrorCode.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ErrorCodeFieldEvent {
    field: '$.code'
    value: ErrorCode
  }

  export interface ErrorMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<Error>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Error.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Error>): Error {
    return decodeMessage(buf, Error.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Error>): Generator<ErrorCodeFieldEvent | ErrorMessageFieldEvent> {
    return streamMessage(buf, Error.codec(), opts)
  }
}

export interface DataRequest {}

export namespace DataRequest {
  let _codec: Codec<DataRequest>

  export const codec = (): Codec<DataRequest> => {
    if (_codec == null) {
      _codec = message<DataRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export function encode (obj: Partial<DataRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DataRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DataRequest>): DataRequest {
    return decodeMessage(buf, DataRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DataRequest>): Generator<{}> {
    return streamMessage(buf, DataRequest.codec(), opts)
  }
}

export interface JobMessage {
  award?: Signed
  dataChunk?: DataChunk
  dataEnd?: DataEnd
  metrics?: Metrics
  checkpoint?: CheckpointNotice
  delivery?: Delivery
  weightsChunk?: DataChunk
  weightsEnd?: DataEnd
  error?: Error
  dataRequest?: DataRequest
}

export namespace JobMessage {
  let _codec: Codec<JobMessage>

  export const codec = (): Codec<JobMessage> => {
    if (_codec == null) {
      _codec = message<JobMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.dataRequest != null) {
          obj.error = undefined
          obj.weightsEnd = undefined
          obj.weightsChunk = undefined
          obj.delivery = undefined
          obj.checkpoint = undefined
          obj.metrics = undefined
          obj.dataEnd = undefined
          obj.dataChunk = undefined
          obj.award = undefined
        }

        if (obj.error != null) {
          obj.dataRequest = undefined
          obj.weightsEnd = undefined
          obj.weightsChunk = undefined
          obj.delivery = undefined
          obj.checkpoint = undefined
          obj.metrics = undefined
          obj.dataEnd = undefined
          obj.dataChunk = undefined
          obj.award = undefined
        }

        if (obj.weightsEnd != null) {
          obj.dataRequest = undefined
          obj.error = undefined
          obj.weightsChunk = undefined
          obj.delivery = undefined
          obj.checkpoint = undefined
          obj.metrics = undefined
          obj.dataEnd = undefined
          obj.dataChunk = undefined
          obj.award = undefined
        }

        if (obj.weightsChunk != null) {
          obj.dataRequest = undefined
          obj.error = undefined
          obj.weightsEnd = undefined
          obj.delivery = undefined
          obj.checkpoint = undefined
          obj.metrics = undefined
          obj.dataEnd = undefined
          obj.dataChunk = undefined
          obj.award = undefined
        }

        if (obj.delivery != null) {
          obj.dataRequest = undefined
          obj.error = undefined
          obj.weightsEnd = undefined
          obj.weightsChunk = undefined
          obj.checkpoint = undefined
          obj.metrics = undefined
          obj.dataEnd = undefined
          obj.dataChunk = undefined
          obj.award = undefined
        }

        if (obj.checkpoint != null) {
          obj.dataRequest = undefined
          obj.error = undefined
          obj.weightsEnd = undefined
          obj.weightsChunk = undefined
          obj.delivery = undefined
          obj.metrics = undefined
          obj.dataEnd = undefined
          obj.dataChunk = undefined
          obj.award = undefined
        }

        if (obj.metrics != null) {
          obj.dataRequest = undefined
          obj.error = undefined
          obj.weightsEnd = undefined
          obj.weightsChunk = undefined
          obj.delivery = undefined
          obj.checkpoint = undefined
          obj.dataEnd = undefined
          obj.dataChunk = undefined
          obj.award = undefined
        }

        if (obj.dataEnd != null) {
          obj.dataRequest = undefined
          obj.error = undefined
          obj.weightsEnd = undefined
          obj.weightsChunk = undefined
          obj.delivery = undefined
          obj.checkpoint = undefined
          obj.metrics = undefined
          obj.dataChunk = undefined
          obj.award = undefined
        }

        if (obj.dataChunk != null) {
          obj.dataRequest = undefined
          obj.error = undefined
          obj.weightsEnd = undefined
          obj.weightsChunk = undefined
          obj.delivery = undefined
          obj.checkpoint = undefined
          obj.metrics = undefined
          obj.dataEnd = undefined
          obj.award = undefined
        }

        if (obj.award != null) {
          obj.dataRequest = undefined
          obj.error = undefined
          obj.weightsEnd = undefined
          obj.weightsChunk = undefined
          obj.delivery = undefined
          obj.checkpoint = undefined
          obj.metrics = undefined
          obj.dataEnd = undefined
          obj.dataChunk = undefined
        }

        if (obj.award != null) {
          w.uint32(10)
          Signed.codec().encode(obj.award, w)
        }

        if (obj.dataChunk != null) {
          w.uint32(18)
          DataChunk.codec().encode(obj.dataChunk, w)
        }

        if (obj.dataEnd != null) {
          w.uint32(26)
          DataEnd.codec().encode(obj.dataEnd, w)
        }

        if (obj.metrics != null) {
          w.uint32(34)
          Metrics.codec().encode(obj.metrics, w)
        }

        if (obj.checkpoint != null) {
          w.uint32(42)
          CheckpointNotice.codec().encode(obj.checkpoint, w)
        }

        if (obj.delivery != null) {
          w.uint32(50)
          Delivery.codec().encode(obj.delivery, w)
        }

        if (obj.weightsChunk != null) {
          w.uint32(58)
          DataChunk.codec().encode(obj.weightsChunk, w)
        }

        if (obj.weightsEnd != null) {
          w.uint32(66)
          DataEnd.codec().encode(obj.weightsEnd, w)
        }

        if (obj.error != null) {
          w.uint32(74)
          Error.codec().encode(obj.error, w)
        }

        if (obj.dataRequest != null) {
          w.uint32(82)
          DataRequest.codec().encode(obj.dataRequest, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.award = Signed.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.award
              })
              break
            }
            case 2: {
              obj.dataChunk = DataChunk.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.dataChunk
              })
              break
            }
            case 3: {
              obj.dataEnd = DataEnd.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.dataEnd
              })
              break
            }
            case 4: {
              obj.metrics = Metrics.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.metrics
              })
              break
            }
            case 5: {
              obj.checkpoint = CheckpointNotice.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.checkpoint
              })
              break
            }
            case 6: {
              obj.delivery = Delivery.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.delivery
              })
              break
            }
            case 7: {
              obj.weightsChunk = DataChunk.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.weightsChunk
              })
              break
            }
            case 8: {
              obj.weightsEnd = DataEnd.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.weightsEnd
              })
              break
            }
            case 9: {
              obj.error = Error.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.error
              })
              break
            }
            case 10: {
              obj.dataRequest = DataRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.dataRequest
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.dataRequest != null) {
          delete obj.error
          delete obj.weightsEnd
          delete obj.weightsChunk
          delete obj.delivery
          delete obj.checkpoint
          delete obj.metrics
          delete obj.dataEnd
          delete obj.dataChunk
          delete obj.award
        }

        if (obj.error != null) {
          delete obj.dataRequest
          delete obj.weightsEnd
          delete obj.weightsChunk
          delete obj.delivery
          delete obj.checkpoint
          delete obj.metrics
          delete obj.dataEnd
          delete obj.dataChunk
          delete obj.award
        }

        if (obj.weightsEnd != null) {
          delete obj.dataRequest
          delete obj.error
          delete obj.weightsChunk
          delete obj.delivery
          delete obj.checkpoint
          delete obj.metrics
          delete obj.dataEnd
          delete obj.dataChunk
          delete obj.award
        }

        if (obj.weightsChunk != null) {
          delete obj.dataRequest
          delete obj.error
          delete obj.weightsEnd
          delete obj.delivery
          delete obj.checkpoint
          delete obj.metrics
          delete obj.dataEnd
          delete obj.dataChunk
          delete obj.award
        }

        if (obj.delivery != null) {
          delete obj.dataRequest
          delete obj.error
          delete obj.weightsEnd
          delete obj.weightsChunk
          delete obj.checkpoint
          delete obj.metrics
          delete obj.dataEnd
          delete obj.dataChunk
          delete obj.award
        }

        if (obj.checkpoint != null) {
          delete obj.dataRequest
          delete obj.error
          delete obj.weightsEnd
          delete obj.weightsChunk
          delete obj.delivery
          delete obj.metrics
          delete obj.dataEnd
          delete obj.dataChunk
          delete obj.award
        }

        if (obj.metrics != null) {
          delete obj.dataRequest
          delete obj.error
          delete obj.weightsEnd
          delete obj.weightsChunk
          delete obj.delivery
          delete obj.checkpoint
          delete obj.dataEnd
          delete obj.dataChunk
          delete obj.award
        }

        if (obj.dataEnd != null) {
          delete obj.dataRequest
          delete obj.error
          delete obj.weightsEnd
          delete obj.weightsChunk
          delete obj.delivery
          delete obj.checkpoint
          delete obj.metrics
          delete obj.dataChunk
          delete obj.award
        }

        if (obj.dataChunk != null) {
          delete obj.dataRequest
          delete obj.error
          delete obj.weightsEnd
          delete obj.weightsChunk
          delete obj.delivery
          delete obj.checkpoint
          delete obj.metrics
          delete obj.dataEnd
          delete obj.award
        }

        if (obj.award != null) {
          delete obj.dataRequest
          delete obj.error
          delete obj.weightsEnd
          delete obj.weightsChunk
          delete obj.delivery
          delete obj.checkpoint
          delete obj.metrics
          delete obj.dataEnd
          delete obj.dataChunk
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * Signed.codec().stream(reader, reader.uint32(), `${prefix}.award`, {
                limits: opts.limits?.award
              })

              break
            }
            case 2: {
              yield * DataChunk.codec().stream(reader, reader.uint32(), `${prefix}.dataChunk`, {
                limits: opts.limits?.dataChunk
              })

              break
            }
            case 3: {
              yield * DataEnd.codec().stream(reader, reader.uint32(), `${prefix}.dataEnd`, {
                limits: opts.limits?.dataEnd
              })

              break
            }
            case 4: {
              yield * Metrics.codec().stream(reader, reader.uint32(), `${prefix}.metrics`, {
                limits: opts.limits?.metrics
              })

              break
            }
            case 5: {
              yield * CheckpointNotice.codec().stream(reader, reader.uint32(), `${prefix}.checkpoint`, {
                limits: opts.limits?.checkpoint
              })

              break
            }
            case 6: {
              yield * Delivery.codec().stream(reader, reader.uint32(), `${prefix}.delivery`, {
                limits: opts.limits?.delivery
              })

              break
            }
            case 7: {
              yield * DataChunk.codec().stream(reader, reader.uint32(), `${prefix}.weightsChunk`, {
                limits: opts.limits?.weightsChunk
              })

              break
            }
            case 8: {
              yield * DataEnd.codec().stream(reader, reader.uint32(), `${prefix}.weightsEnd`, {
                limits: opts.limits?.weightsEnd
              })

              break
            }
            case 9: {
              yield * Error.codec().stream(reader, reader.uint32(), `${prefix}.error`, {
                limits: opts.limits?.error
              })

              break
            }
            case 10: {
              yield * DataRequest.codec().stream(reader, reader.uint32(), `${prefix}.dataRequest`, {
                limits: opts.limits?.dataRequest
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface JobMessageAwardKindFieldEvent {
    field: '$.award.kind'
    value: Kind
  }

  export interface JobMessageAwardBodyFieldEvent {
    field: '$.award.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobMessageAwardSignerFieldEvent {
    field: '$.award.signer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobMessageAwardSignatureFieldEvent {
    field: '$.award.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobMessageDataChunkIndexFieldEvent {
    field: '$.dataChunk.index'
    value: number
  }

  export interface JobMessageDataChunkDataFieldEvent {
    field: '$.dataChunk.data'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobMessageDataEndChunksFieldEvent {
    field: '$.dataEnd.chunks'
    value: number
  }

  export interface JobMessageDataEndTotalBytesFieldEvent {
    field: '$.dataEnd.totalBytes'
    value: bigint
  }

  export interface JobMessageDataEndSha256FieldEvent {
    field: '$.dataEnd.sha256'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobMessageMetricsEpochFieldEvent {
    field: '$.metrics.epoch'
    value: number
  }

  export interface JobMessageMetricsTotalEpochsFieldEvent {
    field: '$.metrics.totalEpochs'
    value: number
  }

  export interface JobMessageMetricsStepFieldEvent {
    field: '$.metrics.step'
    value: number
  }

  export interface JobMessageMetricsLossFieldEvent {
    field: '$.metrics.loss'
    value: number
  }

  export interface JobMessageMetricsTrainAccuracyFieldEvent {
    field: '$.metrics.trainAccuracy'
    value: number
  }

  export interface JobMessageMetricsTestAccuracyFieldEvent {
    field: '$.metrics.testAccuracy'
    value: number
  }

  export interface JobMessageMetricsTimestampFieldEvent {
    field: '$.metrics.timestamp'
    value: bigint
  }

  export interface JobMessageCheckpointEpochFieldEvent {
    field: '$.checkpoint.epoch'
    value: number
  }

  export interface JobMessageCheckpointChainHashFieldEvent {
    field: '$.checkpoint.chainHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobMessageCheckpointMerkleRootFieldEvent {
    field: '$.checkpoint.merkleRoot'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobMessageCheckpointCidFieldEvent {
    field: '$.checkpoint.cid'
    value: string
  }

  export interface JobMessageDeliveryWeightsHashFieldEvent {
    field: '$.delivery.weightsHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobMessageDeliveryWeightsBytesFieldEvent {
    field: '$.delivery.weightsBytes'
    value: bigint
  }

  export interface JobMessageDeliveryEvidenceCidFieldEvent {
    field: '$.delivery.evidenceCid'
    value: string
  }

  export interface JobMessageDeliveryMerkleRootFieldEvent {
    field: '$.delivery.merkleRoot'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobMessageDeliveryEpochsFieldEvent {
    field: '$.delivery.epochs'
    value: number
  }

  export interface JobMessageDeliveryFinalChainHashFieldEvent {
    field: '$.delivery.finalChainHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobMessageWeightsChunkIndexFieldEvent {
    field: '$.weightsChunk.index'
    value: number
  }

  export interface JobMessageWeightsChunkDataFieldEvent {
    field: '$.weightsChunk.data'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobMessageWeightsEndChunksFieldEvent {
    field: '$.weightsEnd.chunks'
    value: number
  }

  export interface JobMessageWeightsEndTotalBytesFieldEvent {
    field: '$.weightsEnd.totalBytes'
    value: bigint
  }

  export interface JobMessageWeightsEndSha256FieldEvent {
    field: '$.weightsEnd.sha256'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobMessageErrorCodeFieldEvent {
    field: '$.error.code'
    value: ErrorCode
  }

  export interface JobMessageErrorMessageFieldEvent {
    field: '$.error.message'
    value: string
  }

  export function encode (obj: Partial<JobMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, JobMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobMessage>): JobMessage {
    return decodeMessage(buf, JobMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobMessage>): Generator<JobMessageAwardKindFieldEvent | JobMessageAwardBodyFieldEvent | JobMessageAwardSignerFieldEvent | JobMessageAwardSignatureFieldEvent | JobMessageDataChunkIndexFieldEvent | JobMessageDataChunkDataFieldEvent | JobMessageDataEndChunksFieldEvent | JobMessageDataEndTotalBytesFieldEvent | JobMessageDataEndSha256FieldEvent | JobMessageMetricsEpochFieldEvent | JobMessageMetricsTotalEpochsFieldEvent | JobMessageMetricsStepFieldEvent | JobMessageMetricsLossFieldEvent | JobMessageMetricsTrainAccuracyFieldEvent | JobMessageMetricsTestAccuracyFieldEvent | JobMessageMetricsTimestampFieldEvent | JobMessageCheckpointEpochFieldEvent | JobMessageCheckpointChainHashFieldEvent | JobMessageCheckpointMerkleRootFieldEvent | JobMessageCheckpointCidFieldEvent | JobMessageDeliveryWeightsHashFieldEvent | JobMessageDeliveryWeightsBytesFieldEvent | JobMessageDeliveryEvidenceCidFieldEvent | JobMessageDeliveryMerkleRootFieldEvent | JobMessageDeliveryEpochsFieldEvent | JobMessageDeliveryFinalChainHashFieldEvent | JobMessageWeightsChunkIndexFieldEvent | JobMessageWeightsChunkDataFieldEvent | JobMessageWeightsEndChunksFieldEvent | JobMessageWeightsEndTotalBytesFieldEvent | JobMessageWeightsEndSha256FieldEvent | JobMessageErrorCodeFieldEvent | JobMessageErrorMessageFieldEvent> {
    return streamMessage(buf, JobMessage.codec(), opts)
  }
}

export interface RegisterRequest {
  advert?: Signed
}

export namespace RegisterRequest {
  let _codec: Codec<RegisterRequest>

  export const codec = (): Codec<RegisterRequest> => {
    if (_codec == null) {
      _codec = message<RegisterRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.advert != null) {
          w.uint32(10)
          Signed.codec().encode(obj.advert, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.advert = Signed.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.advert
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * Signed.codec().stream(reader, reader.uint32(), `${prefix}.advert`, {
                limits: opts.limits?.advert
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RegisterRequestAdvertKindFieldEvent {
    field: '$.advert.kind'
    value: Kind
  }

  export interface RegisterRequestAdvertBodyFieldEvent {
    field: '$.advert.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RegisterRequestAdvertSignerFieldEvent {
    field: '$.advert.signer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RegisterRequestAdvertSignatureFieldEvent {
    field: '$.advert.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<RegisterRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RegisterRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RegisterRequest>): RegisterRequest {
    return decodeMessage(buf, RegisterRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RegisterRequest>): Generator<RegisterRequestAdvertKindFieldEvent | RegisterRequestAdvertBodyFieldEvent | RegisterRequestAdvertSignerFieldEvent | RegisterRequestAdvertSignatureFieldEvent> {
    return streamMessage(buf, RegisterRequest.codec(), opts)
  }
}

export interface RegisterResponse {
  accepted: boolean
  indexedUntil: bigint
  error?: Error
}

export namespace RegisterResponse {
  let _codec: Codec<RegisterResponse>

  export const codec = (): Codec<RegisterResponse> => {
    if (_codec == null) {
      _codec = message<RegisterResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.accepted != null && obj.accepted !== false)) {
          w.uint32(8)
          w.bool(obj.accepted)
        }

        if ((obj.indexedUntil != null && obj.indexedUntil !== 0n)) {
          w.uint32(17)
          w.sfixed64(obj.indexedUntil)
        }

        if (obj.error != null) {
          w.uint32(26)
          Error.codec().encode(obj.error, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          accepted: false,
          indexedUntil: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.accepted = reader.bool()
              break
            }
            case 2: {
              obj.indexedUntil = reader.sfixed64()
              break
            }
            case 3: {
              obj.error = Error.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.error
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.accepted`,
                value: reader.bool()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.indexedUntil`,
                value: reader.sfixed64()
              }
              break
            }
            case 3: {
              yield * Error.codec().stream(reader, reader.uint32(), `${prefix}.error`, {
                limits: opts.limits?.error
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RegisterResponseAcceptedFieldEvent {
    field: '$.accepted'
    value: boolean
  }

  export interface RegisterResponseIndexedUntilFieldEvent {
    field: '$.indexedUntil'
    value: bigint
  }

  export interface RegisterResponseErrorCodeFieldEvent {
    field: '$.error.code'
    value: ErrorCode
  }

  export interface RegisterResponseErrorMessageFieldEvent {
    field: '$.error.message'
    value: string
  }

  export function encode (obj: Partial<RegisterResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RegisterResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RegisterResponse>): RegisterResponse {
    return decodeMessage(buf, RegisterResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RegisterResponse>): Generator<RegisterResponseAcceptedFieldEvent | RegisterResponseIndexedUntilFieldEvent | RegisterResponseErrorCodeFieldEvent | RegisterResponseErrorMessageFieldEvent> {
    return streamMessage(buf, RegisterResponse.codec(), opts)
  }
}

export interface MatchRequest {
  announce?: Signed
  capability: string
  maxCandidates: number
}

export namespace MatchRequest {
  let _codec: Codec<MatchRequest>

  export const codec = (): Codec<MatchRequest> => {
    if (_codec == null) {
      _codec = message<MatchRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.announce != null) {
          w.uint32(10)
          Signed.codec().encode(obj.announce, w)
        }

        if ((obj.capability != null && obj.capability !== '')) {
          w.uint32(18)
          w.string(obj.capability)
        }

        if ((obj.maxCandidates != null && obj.maxCandidates !== 0)) {
          w.uint32(24)
          w.uint32(obj.maxCandidates)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          capability: '',
          maxCandidates: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.announce = Signed.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.announce
              })
              break
            }
            case 2: {
              obj.capability = reader.string()
              break
            }
            case 3: {
              obj.maxCandidates = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * Signed.codec().stream(reader, reader.uint32(), `${prefix}.announce`, {
                limits: opts.limits?.announce
              })

              break
            }
            case 2: {
              yield {
                field: `${prefix}.capability`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.maxCandidates`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MatchRequestAnnounceKindFieldEvent {
    field: '$.announce.kind'
    value: Kind
  }

  export interface MatchRequestAnnounceBodyFieldEvent {
    field: '$.announce.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MatchRequestAnnounceSignerFieldEvent {
    field: '$.announce.signer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MatchRequestAnnounceSignatureFieldEvent {
    field: '$.announce.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MatchRequestCapabilityFieldEvent {
    field: '$.capability'
    value: string
  }

  export interface MatchRequestMaxCandidatesFieldEvent {
    field: '$.maxCandidates'
    value: number
  }

  export function encode (obj: Partial<MatchRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MatchRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MatchRequest>): MatchRequest {
    return decodeMessage(buf, MatchRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MatchRequest>): Generator<MatchRequestAnnounceKindFieldEvent | MatchRequestAnnounceBodyFieldEvent | MatchRequestAnnounceSignerFieldEvent | MatchRequestAnnounceSignatureFieldEvent | MatchRequestCapabilityFieldEvent | MatchRequestMaxCandidatesFieldEvent> {
    return streamMessage(buf, MatchRequest.codec(), opts)
  }
}

export interface MatchCandidate {
  peerId: Uint8Array<ArrayBuffer>
  wallet: Uint8Array<ArrayBuffer>
  advertHash: Uint8Array<ArrayBuffer>
  scorePpm: number
  estimatedPrice: bigint
  stake: bigint
  reputation: number
}

export namespace MatchCandidate {
  let _codec: Codec<MatchCandidate>

  export const codec = (): Codec<MatchCandidate> => {
    if (_codec == null) {
      _codec = message<MatchCandidate>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.peerId)
        }

        if ((obj.wallet != null && obj.wallet.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.wallet)
        }

        if ((obj.advertHash != null && obj.advertHash.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.advertHash)
        }

        if ((obj.scorePpm != null && obj.scorePpm !== 0)) {
          w.uint32(32)
          w.uint32(obj.scorePpm)
        }

        if ((obj.estimatedPrice != null && obj.estimatedPrice !== 0n)) {
          w.uint32(41)
          w.sfixed64(obj.estimatedPrice)
        }

        if ((obj.stake != null && obj.stake !== 0n)) {
          w.uint32(49)
          w.sfixed64(obj.stake)
        }

        if ((obj.reputation != null && obj.reputation !== 0)) {
          w.uint32(56)
          w.uint32(obj.reputation)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: uint8ArrayAlloc(0),
          wallet: uint8ArrayAlloc(0),
          advertHash: uint8ArrayAlloc(0),
          scorePpm: 0,
          estimatedPrice: 0n,
          stake: 0n,
          reputation: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.bytes()
              break
            }
            case 2: {
              obj.wallet = reader.bytes()
              break
            }
            case 3: {
              obj.advertHash = reader.bytes()
              break
            }
            case 4: {
              obj.scorePpm = reader.uint32()
              break
            }
            case 5: {
              obj.estimatedPrice = reader.sfixed64()
              break
            }
            case 6: {
              obj.stake = reader.sfixed64()
              break
            }
            case 7: {
              obj.reputation = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peerId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.wallet`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.advertHash`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.scorePpm`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.estimatedPrice`,
                value: reader.sfixed64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.stake`,
                value: reader.sfixed64()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.reputation`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MatchCandidatePeerIdFieldEvent {
    field: '$.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MatchCandidateWalletFieldEvent {
    field: '$.wallet'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MatchCandidateAdvertHashFieldEvent {
    field: '$.advertHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MatchCandidateScorePpmFieldEvent {
    field: '$.scorePpm'
    value: number
  }

  export interface MatchCandidateEstimatedPriceFieldEvent {
    field: '$.estimatedPrice'
    value: bigint
  }

  export interface MatchCandidateStakeFieldEvent {
    field: '$.stake'
    value: bigint
  }

  export interface MatchCandidateReputationFieldEvent {
    field: '$.reputation'
    value: number
  }

  export function encode (obj: Partial<MatchCandidate>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MatchCandidate.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MatchCandidate>): MatchCandidate {
    return decodeMessage(buf, MatchCandidate.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MatchCandidate>): Generator<MatchCandidatePeerIdFieldEvent | MatchCandidateWalletFieldEvent | MatchCandidateAdvertHashFieldEvent | MatchCandidateScorePpmFieldEvent | MatchCandidateEstimatedPriceFieldEvent | MatchCandidateStakeFieldEvent | MatchCandidateReputationFieldEvent> {
    return streamMessage(buf, MatchCandidate.codec(), opts)
  }
}

export interface MatchResult {
  jobId: Uint8Array<ArrayBuffer>
  announceHash: Uint8Array<ArrayBuffer>
  coordinatorPeerId: Uint8Array<ArrayBuffer>
  candidates: MatchCandidate[]
  issuedAt: bigint
}

export namespace MatchResult {
  let _codec: Codec<MatchResult>

  export const codec = (): Codec<MatchResult> => {
    if (_codec == null) {
      _codec = message<MatchResult>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.jobId != null && obj.jobId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.jobId)
        }

        if ((obj.announceHash != null && obj.announceHash.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.announceHash)
        }

        if ((obj.coordinatorPeerId != null && obj.coordinatorPeerId.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.coordinatorPeerId)
        }

        if (obj.candidates != null && obj.candidates.length > 0) {
          for (const value of obj.candidates) {
            w.uint32(34)
            MatchCandidate.codec().encode(value, w)
          }
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0n)) {
          w.uint32(41)
          w.sfixed64(obj.issuedAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          jobId: uint8ArrayAlloc(0),
          announceHash: uint8ArrayAlloc(0),
          coordinatorPeerId: uint8ArrayAlloc(0),
          candidates: [],
          issuedAt: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.jobId = reader.bytes()
              break
            }
            case 2: {
              obj.announceHash = reader.bytes()
              break
            }
            case 3: {
              obj.coordinatorPeerId = reader.bytes()
              break
            }
            case 4: {
              if (opts.limits?.candidates != null && obj.candidates.length === opts.limits.candidates) {
                throw new MaxLengthError('Decode error - repeated field "candidates" had too many elements')
              }

              obj.candidates.push(MatchCandidate.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.candidates$
              }))
              break
            }
            case 5: {
              obj.issuedAt = reader.sfixed64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          candidates: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.jobId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.announceHash`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.coordinatorPeerId`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              if (opts.limits?.candidates != null && obj.candidates === opts.limits.candidates) {
                throw new MaxLengthError('Streaming decode error - repeated field "candidates" had too many elements')
              }

              for (const evt of MatchCandidate.codec().stream(reader, reader.uint32(), `${prefix}.candidates[]`, {
                limits: opts.limits?.candidates$
              })) {
                yield {
                  ...evt,
                  index: obj.candidates
                }
              }

              obj.candidates++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.sfixed64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MatchResultJobIdFieldEvent {
    field: '$.jobId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MatchResultAnnounceHashFieldEvent {
    field: '$.announceHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MatchResultCoordinatorPeerIdFieldEvent {
    field: '$.coordinatorPeerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MatchResultCandidatesPeerIdFieldEvent {
    field: '$.candidates[].peerId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MatchResultCandidatesWalletFieldEvent {
    field: '$.candidates[].wallet'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MatchResultCandidatesAdvertHashFieldEvent {
    field: '$.candidates[].advertHash'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MatchResultCandidatesScorePpmFieldEvent {
    field: '$.candidates[].scorePpm'
    value: number
    index: number
  }

  export interface MatchResultCandidatesEstimatedPriceFieldEvent {
    field: '$.candidates[].estimatedPrice'
    value: bigint
    index: number
  }

  export interface MatchResultCandidatesStakeFieldEvent {
    field: '$.candidates[].stake'
    value: bigint
    index: number
  }

  export interface MatchResultCandidatesReputationFieldEvent {
    field: '$.candidates[].reputation'
    value: number
    index: number
  }

  export interface MatchResultIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: bigint
  }

  export function encode (obj: Partial<MatchResult>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MatchResult.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MatchResult>): MatchResult {
    return decodeMessage(buf, MatchResult.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MatchResult>): Generator<MatchResultJobIdFieldEvent | MatchResultAnnounceHashFieldEvent | MatchResultCoordinatorPeerIdFieldEvent | MatchResultCandidatesPeerIdFieldEvent | MatchResultCandidatesWalletFieldEvent | MatchResultCandidatesAdvertHashFieldEvent | MatchResultCandidatesScorePpmFieldEvent | MatchResultCandidatesEstimatedPriceFieldEvent | MatchResultCandidatesStakeFieldEvent | MatchResultCandidatesReputationFieldEvent | MatchResultIssuedAtFieldEvent> {
    return streamMessage(buf, MatchResult.codec(), opts)
  }
}

export interface MatchResponse {
  result?: Signed
  adverts: Signed[]
  error?: Error
}

export namespace MatchResponse {
  let _codec: Codec<MatchResponse>

  export const codec = (): Codec<MatchResponse> => {
    if (_codec == null) {
      _codec = message<MatchResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.result != null) {
          w.uint32(10)
          Signed.codec().encode(obj.result, w)
        }

        if (obj.adverts != null && obj.adverts.length > 0) {
          for (const value of obj.adverts) {
            w.uint32(18)
            Signed.codec().encode(value, w)
          }
        }

        if (obj.error != null) {
          w.uint32(26)
          Error.codec().encode(obj.error, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          adverts: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.result = Signed.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.result
              })
              break
            }
            case 2: {
              if (opts.limits?.adverts != null && obj.adverts.length === opts.limits.adverts) {
                throw new MaxLengthError('Decode error - repeated field "adverts" had too many elements')
              }

              obj.adverts.push(Signed.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.adverts$
              }))
              break
            }
            case 3: {
              obj.error = Error.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.error
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          adverts: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * Signed.codec().stream(reader, reader.uint32(), `${prefix}.result`, {
                limits: opts.limits?.result
              })

              break
            }
            case 2: {
              if (opts.limits?.adverts != null && obj.adverts === opts.limits.adverts) {
                throw new MaxLengthError('Streaming decode error - repeated field "adverts" had too many elements')
              }

              for (const evt of Signed.codec().stream(reader, reader.uint32(), `${prefix}.adverts[]`, {
                limits: opts.limits?.adverts$
              })) {
                yield {
                  ...evt,
                  index: obj.adverts
                }
              }

              obj.adverts++

              break
            }
            case 3: {
              yield * Error.codec().stream(reader, reader.uint32(), `${prefix}.error`, {
                limits: opts.limits?.error
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MatchResponseResultKindFieldEvent {
    field: '$.result.kind'
    value: Kind
  }

  export interface MatchResponseResultBodyFieldEvent {
    field: '$.result.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MatchResponseResultSignerFieldEvent {
    field: '$.result.signer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MatchResponseResultSignatureFieldEvent {
    field: '$.result.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MatchResponseAdvertsKindFieldEvent {
    field: '$.adverts[].kind'
    value: Kind
    index: number
  }

  export interface MatchResponseAdvertsBodyFieldEvent {
    field: '$.adverts[].body'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MatchResponseAdvertsSignerFieldEvent {
    field: '$.adverts[].signer'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MatchResponseAdvertsSignatureFieldEvent {
    field: '$.adverts[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MatchResponseErrorCodeFieldEvent {
    field: '$.error.code'
    value: ErrorCode
  }

  export interface MatchResponseErrorMessageFieldEvent {
    field: '$.error.message'
    value: string
  }

  export function encode (obj: Partial<MatchResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MatchResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MatchResponse>): MatchResponse {
    return decodeMessage(buf, MatchResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MatchResponse>): Generator<MatchResponseResultKindFieldEvent | MatchResponseResultBodyFieldEvent | MatchResponseResultSignerFieldEvent | MatchResponseResultSignatureFieldEvent | MatchResponseAdvertsKindFieldEvent | MatchResponseAdvertsBodyFieldEvent | MatchResponseAdvertsSignerFieldEvent | MatchResponseAdvertsSignatureFieldEvent | MatchResponseErrorCodeFieldEvent | MatchResponseErrorMessageFieldEvent> {
    return streamMessage(buf, MatchResponse.codec(), opts)
  }
}

export interface AdvertRecord {
  advert?: Signed
  peerSignature: Uint8Array<ArrayBuffer>
}

export namespace AdvertRecord {
  let _codec: Codec<AdvertRecord>

  export const codec = (): Codec<AdvertRecord> => {
    if (_codec == null) {
      _codec = message<AdvertRecord>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.advert != null) {
          w.uint32(10)
          Signed.codec().encode(obj.advert, w)
        }

        if ((obj.peerSignature != null && obj.peerSignature.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.peerSignature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerSignature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.advert = Signed.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.advert
              })
              break
            }
            case 2: {
              obj.peerSignature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * Signed.codec().stream(reader, reader.uint32(), `${prefix}.advert`, {
                limits: opts.limits?.advert
              })

              break
            }
            case 2: {
              yield {
                field: `${prefix}.peerSignature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AdvertRecordAdvertKindFieldEvent {
    field: '$.advert.kind'
    value: Kind
  }

  export interface AdvertRecordAdvertBodyFieldEvent {
    field: '$.advert.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AdvertRecordAdvertSignerFieldEvent {
    field: '$.advert.signer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AdvertRecordAdvertSignatureFieldEvent {
    field: '$.advert.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AdvertRecordPeerSignatureFieldEvent {
    field: '$.peerSignature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<AdvertRecord>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AdvertRecord.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AdvertRecord>): AdvertRecord {
    return decodeMessage(buf, AdvertRecord.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AdvertRecord>): Generator<AdvertRecordAdvertKindFieldEvent | AdvertRecordAdvertBodyFieldEvent | AdvertRecordAdvertSignerFieldEvent | AdvertRecordAdvertSignatureFieldEvent | AdvertRecordPeerSignatureFieldEvent> {
    return streamMessage(buf, AdvertRecord.codec(), opts)
  }
}

// Every resource detector, in one explicit list (style: one greppable list, like
// src/components/all.ts). Adding a detector is one file under detectors/ plus one import and
// one entry below.

import type { Detector } from "./detector.ts";
import { aksDetector } from "./detectors/aks.ts";
import { azureDetector } from "./detectors/azure.ts";
import { consulDetector } from "./detectors/consul.ts";
import { dockerDetector } from "./detectors/docker.ts";
import { ec2Detector } from "./detectors/ec2.ts";
import { ecsDetector } from "./detectors/ecs.ts";
import { eksDetector } from "./detectors/eks.ts";
import { elasticBeanstalkDetector } from "./detectors/elasticbeanstalk.ts";
import { envDetector } from "./detectors/env.ts";
import { gcpDetector } from "./detectors/gcp.ts";
import { herokuDetector } from "./detectors/heroku.ts";
import { kubeadmDetector } from "./detectors/kubeadm.ts";
import { kubernetesNodeDetector } from "./detectors/kubernetes_node.ts";
import { lambdaDetector } from "./detectors/lambda.ts";
import { openshiftDetector } from "./detectors/openshift.ts";
import { systemDetector } from "./detectors/system.ts";

/** All detectors, by the name used in `detectors` (order here has no meaning). */
export const DETECTORS: readonly Detector<any>[] = [
  envDetector,
  systemDetector,
  dockerDetector,
  herokuDetector,
  consulDetector,
  kubernetesNodeDetector,
  kubeadmDetector,
  ec2Detector,
  ecsDetector,
  eksDetector,
  lambdaDetector,
  elasticBeanstalkDetector,
  azureDetector,
  aksDetector,
  gcpDetector,
  openshiftDetector,
];

/** The detector called `name`, if there is one. */
export function findDetector(name: string): Detector<any> | undefined {
  return DETECTORS.find((d) => d.name === name);
}
